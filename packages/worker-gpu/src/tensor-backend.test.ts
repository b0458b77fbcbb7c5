import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { TFJS_BACKEND_VARIABLE, TensorBackendError, loadTensorBackend } from './tensor-backend.js';

const installed = (name: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
};
const haveNative = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');

const logged = () => {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, ...(fields ? { fields } : {}) }) };
};

describe('loadTensorBackend', () => {
  const saved = process.env[TFJS_BACKEND_VARIABLE];
  afterEach(() => {
    if (saved === undefined) delete process.env[TFJS_BACKEND_VARIABLE];
    else process.env[TFJS_BACKEND_VARIABLE] = saved;
  });

  it.skipIf(haveNative)('falls back to the pure-JS backend and says why', async () => {
    delete process.env[TFJS_BACKEND_VARIABLE];
    const { lines, log } = logged();
    const backend = await loadTensorBackend(log);
    expect(backend.name).toBe('cpu');
    expect(backend.tf.getBackend()).toBe('cpu');
    expect(backend.device).toMatch(/^JavaScript on \d+ x /);
    expect(backend.fallbackReason).toBe('@tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toBe(`TensorFlow.js backend cpu on ${backend.device} (fell back: ${backend.fallbackReason})`);
    expect(lines[0]!.fields).toMatchObject({ backend: 'cpu', tfjsBackend: 'cpu', fallbackReason: backend.fallbackReason });
  });

  it('uses the backend that BLAZEFLEET_TFJS_BACKEND names, with nothing to fall back from', async () => {
    process.env[TFJS_BACKEND_VARIABLE] = 'cpu';
    const { lines, log } = logged();
    const backend = await loadTensorBackend(log);
    expect(backend.name).toBe('cpu');
    expect(backend.fallbackReason).toBeUndefined();
    expect(lines.map((l) => l.message)).toEqual([`TensorFlow.js backend cpu on ${backend.device}`]);
    const sum = backend.tf.tidy(() => backend.tf.tensor1d([1, 2, 3]).sum().dataSync()[0]);
    expect(sum).toBe(6);
  });

  it.skipIf(installed('@tensorflow/tfjs-node'))('fails, naming the variable, when the backend it names cannot load', async () => {
    process.env[TFJS_BACKEND_VARIABLE] = 'tensorflow';
    const loading = loadTensorBackend();
    await expect(loading).rejects.toThrow(TensorBackendError);
    await expect(loadTensorBackend()).rejects.toThrow('BLAZEFLEET_TFJS_BACKEND=tensorflow: @tensorflow/tfjs-node is not installed');
  });

  it('rejects a value that names no backend', async () => {
    process.env[TFJS_BACKEND_VARIABLE] = 'webgl';
    await expect(loadTensorBackend()).rejects.toThrow('BLAZEFLEET_TFJS_BACKEND=webgl: expected one of tensorflow-gpu, tensorflow, cpu');
  });
});
