import { describeInstanceType } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { CONTEXT_DEFAULTS, fleetSettings, type ContextKey } from './fleet-settings.js';

const withContext = (context: Partial<Record<ContextKey, unknown>>) => fleetSettings((key) => context[key]);

describe('fleetSettings', () => {
  it('defaults to one ECR repository with a tag per image, and the default instance types and worker counts', () => {
    const settings = withContext({});
    expect(settings.scheduler.image).toEqual({ repository: CONTEXT_DEFAULTS.imageRepository, tag: 'scheduler' });
    expect(settings.pools.cpu).toMatchObject({
      instanceType: CONTEXT_DEFAULTS.cpuInstanceType,
      minWorkers: CONTEXT_DEFAULTS.minCpuWorkers,
      maxWorkers: CONTEXT_DEFAULTS.maxCpuWorkers,
      image: { repository: CONTEXT_DEFAULTS.imageRepository, tag: 'worker-cpu' },
    });
    expect(settings.pools.gpu.image).toEqual({ repository: CONTEXT_DEFAULTS.imageRepository, tag: 'worker-gpu' });
    expect(settings.certificateArn).toBeUndefined();
  });

  it("takes the hosts' vCPUs, memory and GPUs from the fleet's instance table", () => {
    const settings = withContext({ cpuInstanceType: 'c5.4xlarge', gpuInstanceType: 'p3.8xlarge' });
    expect(settings.pools.cpu.host).toEqual(describeInstanceType('ml.c5.4xlarge'));
    expect(settings.pools.gpu.host).toEqual(describeInstanceType('ml.p3.8xlarge'));
  });

  it('reads counts given as strings (cdk -c) or numbers (cdk.json), and image URIs that replace the repository', () => {
    const settings = withContext({ minCpuWorkers: '2', maxCpuWorkers: 10, workerGpuImage: 'registry.example/blazefleet:gpu' });
    expect([settings.pools.cpu.minWorkers, settings.pools.cpu.maxWorkers]).toEqual([2, 10]);
    expect(settings.pools.gpu.image).toEqual({ uri: 'registry.example/blazefleet:gpu' });
  });

  it.each([
    [{ maxCpuWorkers: 'many' }, 'context maxCpuWorkers: expected an integer >= 0, got "many"'],
    [{ minGpuWorkers: -1 }, 'context minGpuWorkers: expected an integer >= 0, got -1'],
    [{ minCpuWorkers: 3, maxCpuWorkers: 2 }, 'context maxCpuWorkers: expected an integer >= 1 and >= minCpuWorkers (3), got 2'],
    [{ maxGpuWorkers: 0 }, 'context maxGpuWorkers: expected an integer >= 1 and >= minGpuWorkers (0), got 0'],
    [{ cpuInstanceType: 'p3.2xlarge' }, 'context cpuInstanceType: expected an instance type without GPUs'],
    [{ gpuInstanceType: 'c5.2xlarge' }, 'context gpuInstanceType: expected an instance type with GPUs'],
    [{ cpuInstanceType: 'c5a.large' }, 'got "c5a.large"'],
    [{ prefix: ' ' }, 'context prefix: expected a non-empty string, got " "'],
  ] as [Partial<Record<ContextKey, unknown>>, string][])('refuses %j, naming the key and what it expects', (context, message) => {
    expect(() => withContext(context)).toThrow(message);
  });
});
