import { cpus } from 'node:os';
import { BlazefleetError } from '@blazefleet/core';
import type * as tfjs from '@tensorflow/tfjs';
import { runNvidiaSmi } from './gpu-devices.js';

/** The TensorFlow.js API; tfjs-node and tfjs-node-gpu export the same one, on native TensorFlow. */
export type Tfjs = typeof tfjs;

/** TensorFlow on CUDA GPUs (tfjs-node-gpu), native TensorFlow on the CPU (tfjs-node), or tfjs's pure-JS CPU backend. */
export type TensorBackendName = 'tensorflow-gpu' | 'tensorflow' | 'cpu';

export interface TensorBackend {
  tf: Tfjs;
  name: TensorBackendName;
  /** What runs the ops: the GPUs as nvidia-smi names them, or the CPU. */
  device: string;
  /** Why a faster backend was passed over, when one was. */
  fallbackReason?: string;
}

/** Forces one backend: cpu, tensorflow or tensorflow-gpu. */
export const TFJS_BACKEND_VARIABLE = 'BLAZEFLEET_TFJS_BACKEND';

/** A backend that BLAZEFLEET_TFJS_BACKEND asks for cannot be loaded, or the variable names none. */
export class TensorBackendError extends BlazefleetError {}

const PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  cpu: '@tensorflow/tfjs',
} as const satisfies Record<TensorBackendName, string>;
const PREFERENCE: readonly TensorBackendName[] = ['tensorflow-gpu', 'tensorflow', 'cpu'];

type Log = (message: string, fields?: Record<string, unknown>) => void;

/**
 * The fastest TensorFlow.js backend this process can load: tfjs-node-gpu, else tfjs-node, else the pure-JS CPU backend
 * of @tensorflow/tfjs (BLAZEFLEET_TFJS_BACKEND forces one). Logs which one runs on what device, and why it fell back.
 */
export async function loadTensorBackend(log: Log = () => {}): Promise<TensorBackend> {
  const forced = process.env[TFJS_BACKEND_VARIABLE]?.trim();
  if (forced !== undefined && forced !== '' && !(PREFERENCE as readonly string[]).includes(forced)) {
    throw new TensorBackendError(`${TFJS_BACKEND_VARIABLE}=${forced}: expected one of ${PREFERENCE.join(', ')}`);
  }
  const candidates = forced ? [forced as TensorBackendName] : PREFERENCE;
  const passedOver: string[] = [];
  for (const name of candidates) {
    let tf: Tfjs;
    try {
      tf = await importBackend(name);
    } catch (error) {
      const reason = loadFailure(PACKAGES[name], error);
      if (forced) throw new TensorBackendError(`${TFJS_BACKEND_VARIABLE}=${forced}: ${reason}`);
      passedOver.push(reason);
      continue;
    }
    const device = name === 'tensorflow-gpu' ? await gpuNames() : cpuName(name);
    const backend: TensorBackend = { tf, name, device, ...(passedOver.length > 0 ? { fallbackReason: passedOver.join('; ') } : {}) };
    const fields = { backend: name, device, tfjsBackend: tf.getBackend(), ...(backend.fallbackReason ? { fallbackReason: backend.fallbackReason } : {}) };
    log(`TensorFlow.js backend ${name} on ${device}${backend.fallbackReason ? ` (fell back: ${backend.fallbackReason})` : ''}`, fields);
    return backend;
  }
  // The pure-JS backend is a dependency: only a broken installation gets here.
  throw new TensorBackendError(`no TensorFlow.js backend could be loaded: ${passedOver.join('; ')}`);
}

async function importBackend(name: TensorBackendName): Promise<Tfjs> {
  // A variable, so that TypeScript does not require the optional packages to be installed.
  const specifier: string = PACKAGES[name];
  const module = (await import(specifier)) as Tfjs;
  // tfjs-node is CommonJS: its API is module.exports, which `default` holds when the named exports were not detected.
  const tf = (typeof module.tensor === 'function' ? module : module.default) as Tfjs | undefined;
  if (tf === undefined || typeof tf.tensor !== 'function') throw new Error(`${specifier} does not export the TensorFlow.js API`);
  const tfjsBackend = name === 'cpu' ? 'cpu' : 'tensorflow';
  if (!(await tf.setBackend(tfjsBackend))) throw new Error(`${specifier} did not register the '${tfjsBackend}' backend`);
  await tf.ready();
  // The pure-JS backend otherwise prints a banner urging tfjs-node on first use: the log above already says why it runs.
  if (name === 'cpu') tf.enableProdMode();
  return tf;
}

function loadFailure(specifier: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(specifier)) return `${specifier} is not installed`;
  return `${specifier} failed to load: ${message.split('\n')[0]}`;
}

async function gpuNames(): Promise<string> {
  try {
    const gpus = (await runNvidiaSmi(['--query-gpu=name,memory.total', '--format=csv,noheader']))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    return gpus.length > 0 ? gpus.join('; ') : 'GPU (nvidia-smi lists none)';
  } catch (error) {
    return `GPU (nvidia-smi failed: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`;
  }
}

function cpuName(name: 'tensorflow' | 'cpu'): string {
  const cores = cpus();
  const cpu = `${cores.length} x ${cores[0]?.model.trim() ?? 'unknown CPU'}`;
  return name === 'cpu' ? `JavaScript on ${cpu}` : cpu;
}
