import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config.js';
import { ConfigError, resolveConfig } from './resolve-config.js';

function errorOf(overrides: unknown): ConfigError {
  try {
    resolveConfig(overrides);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(overrides)}`);
}

describe('resolveConfig', () => {
  it('returns the defaults without overrides', () => {
    expect(resolveConfig()).toEqual(DEFAULT_CONFIG);
  });

  it('merges nested overrides and keeps the fields beside them', () => {
    const config = resolveConfig({ imageTag: '1.2.3', workers: { gpu: { maxReplicas: 8 } } });
    expect(config.imageTag).toBe('1.2.3');
    expect(config.workers.gpu).toEqual({ ...DEFAULT_CONFIG.workers.gpu, maxReplicas: 8 });
    expect(config.workers.cpu).toEqual(DEFAULT_CONFIG.workers.cpu);
    expect(config.scheduler).toEqual(DEFAULT_CONFIG.scheduler);
  });

  it('replaces a node selector or price table as a whole', () => {
    const config = resolveConfig({ workers: { gpu: { nodeSelector: { 'karpenter.k8s.aws/instance-gpu-manufacturer': 'nvidia' } } }, priceTable: { 'ml.g5.xlarge': 1 } });
    expect(config.workers.gpu.nodeSelector).toEqual({ 'karpenter.k8s.aws/instance-gpu-manufacturer': 'nvidia' });
    expect(config.priceTable).toEqual({ 'ml.g5.xlarge': 1 });
  });

  it('names an unknown field and the fields it expected', () => {
    const error = errorOf({ workers: { cpu: { maxReplica: 3 } } });
    expect(error.field).toBe('config.workers.cpu.maxReplica');
    expect(error.message).toContain('maxReplicas');
  });

  it('names a field of the wrong type, what it expected and what it got', () => {
    expect(errorOf({ scheduler: { replicas: '2' } }).message).toBe('config.scheduler.replicas: expected a number, got "2"');
    expect(errorOf({ redis: [] }).message).toBe('config.redis: expected an object, got []');
    expect(errorOf(null).field).toBe('config');
  });

  it('keeps a worker grace period long enough to hand trials back', () => {
    expect(errorOf({ workers: { gpu: { terminationGracePeriodSeconds: 60 } } }).message).toBe(
      'config.workers.gpu.terminationGracePeriodSeconds: expected an integer >= 120, got 60',
    );
  });

  it('rejects replica bounds that KEDA could not honour', () => {
    expect(errorOf({ workers: { cpu: { minReplicas: 5, maxReplicas: 2 } } }).field).toBe('config.workers.cpu.maxReplicas');
    expect(errorOf({ workers: { cpu: { maxReplicas: 0 } } }).field).toBe('config.workers.cpu.maxReplicas');
    expect(errorOf({ workers: { cpu: { concurrency: 1.5 } } }).field).toBe('config.workers.cpu.concurrency');
    expect(errorOf({ scheduler: { replicas: 0 } }).field).toBe('config.scheduler.replicas');
  });

  it('rejects names and quantities Kubernetes would refuse', () => {
    expect(errorOf({ namespace: 'Blazefleet' }).field).toBe('config.namespace');
    expect(errorOf({ secretName: '' }).field).toBe('config.secretName');
    expect(errorOf({ workers: { cpu: { resources: { limits: { memory: '8 GB' } } } } }).field).toBe('config.workers.cpu.resources.limits.memory');
    expect(errorOf({ workers: { gpu: { workDirSizeLimit: 'lots' } } }).field).toBe('config.workers.gpu.workDirSizeLimit');
    expect(errorOf({ imagePullPolicy: 'Sometimes' }).field).toBe('config.imagePullPolicy');
    expect(errorOf({ imageTag: '' }).field).toBe('config.imageTag');
  });

  it('rejects a price that is not a non-negative number and a node label value that is not a string', () => {
    expect(errorOf({ priceTable: { 'ml.c5.xlarge': '0.2' } }).field).toBe('config.priceTable.ml.c5.xlarge');
    expect(errorOf({ priceTable: { 'ml.c5.xlarge': -1 } }).field).toBe('config.priceTable.ml.c5.xlarge');
    expect(errorOf({ workers: { gpu: { nodeSelector: { gpu: true } } } }).field).toBe('config.workers.gpu.nodeSelector.gpu');
  });
});
