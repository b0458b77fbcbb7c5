import { INSTANCE_TYPES, type InstancePool, type InstanceTypeInfo } from '@blazefleet/core';

/** What a pool of workers runs on and how far it scales. */
export interface WorkerPoolSettings {
  /** EC2 instance type of the pool's hosts, e.g. `c5.2xlarge`. */
  instanceType: string;
  /** Its vCPUs, memory and GPUs: those of the SageMaker type `ml.<instanceType>` in the fleet's instance table. */
  host: InstanceTypeInfo;
  minWorkers: number;
  maxWorkers: number;
  /** The worker image: an ECR repository and tag, or a full image URI. */
  image: ImageSource;
}

export type ImageSource = { repository: string; tag: string } | { uri: string };

export interface FleetSettings {
  /** BLAZEFLEET_PREFIX of the scheduler and the workers. */
  prefix: string;
  scheduler: { image: ImageSource };
  pools: Record<InstancePool, WorkerPoolSettings>;
  redisNodeType: string;
  /** An ACM certificate for an HTTPS listener; plain HTTP on port 80 without one. */
  certificateArn: string | undefined;
}

/** The context keys this app reads (`cdk synth -c key=value`, or "context" in cdk.json). */
export const CONTEXT_DEFAULTS = {
  prefix: 'blazefleet',
  imageRepository: 'blazefleet',
  schedulerImage: undefined,
  workerCpuImage: undefined,
  workerGpuImage: undefined,
  cpuInstanceType: 'c5.2xlarge',
  gpuInstanceType: 'p3.2xlarge',
  minCpuWorkers: 0,
  maxCpuWorkers: 4,
  minGpuWorkers: 0,
  maxGpuWorkers: 1,
  redisNodeType: 'cache.t4g.small',
  certificateArn: undefined,
} as const;

export type ContextKey = keyof typeof CONTEXT_DEFAULTS;

export class FleetSettingsError extends Error {
  constructor(key: ContextKey, expected: string, value: unknown) {
    super(`context ${key}: expected ${expected}, got ${JSON.stringify(value)}`);
    this.name = 'FleetSettingsError';
  }
}

/** The fleet's settings from the app's context (`lookup` returns undefined for a key that is not set). */
export function fleetSettings(lookup: (key: ContextKey) => unknown): FleetSettings {
  const imageRepository = text(lookup, 'imageRepository');
  const image = (key: 'schedulerImage' | 'workerCpuImage' | 'workerGpuImage', tag: string): ImageSource => {
    const uri = optionalText(lookup, key);
    return uri === undefined ? { repository: imageRepository, tag } : { uri };
  };
  return {
    prefix: text(lookup, 'prefix'),
    scheduler: { image: image('schedulerImage', 'scheduler') },
    pools: {
      cpu: workerPool(lookup, 'cpu', image('workerCpuImage', 'worker-cpu')),
      gpu: workerPool(lookup, 'gpu', image('workerGpuImage', 'worker-gpu')),
    },
    redisNodeType: text(lookup, 'redisNodeType'),
    certificateArn: optionalText(lookup, 'certificateArn'),
  };
}

function workerPool(lookup: (key: ContextKey) => unknown, pool: InstancePool, image: ImageSource): WorkerPoolSettings {
  const typeKey = pool === 'cpu' ? 'cpuInstanceType' : 'gpuInstanceType';
  const instanceType = text(lookup, typeKey);
  const host = INSTANCE_TYPES.find((info) => info.name === `ml.${instanceType}`);
  const kind = pool === 'cpu' ? 'an instance type without GPUs' : 'an instance type with GPUs';
  if (host === undefined || (host.gpus > 0) !== (pool === 'gpu')) {
    throw new FleetSettingsError(typeKey, `${kind} whose ml.* twin is in the fleet's instance table (e.g. ${CONTEXT_DEFAULTS[typeKey]})`, instanceType);
  }
  const minKey = pool === 'cpu' ? 'minCpuWorkers' : 'minGpuWorkers';
  const maxKey = pool === 'cpu' ? 'maxCpuWorkers' : 'maxGpuWorkers';
  const minWorkers = count(lookup, minKey);
  const maxWorkers = count(lookup, maxKey);
  if (maxWorkers < 1 || maxWorkers < minWorkers) throw new FleetSettingsError(maxKey, `an integer >= 1 and >= ${minKey} (${minWorkers})`, maxWorkers);
  return { instanceType, host, minWorkers, maxWorkers, image };
}

function optionalText(lookup: (key: ContextKey) => unknown, key: ContextKey): string | undefined {
  const value = lookup(key) ?? CONTEXT_DEFAULTS[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new FleetSettingsError(key, 'a non-empty string', value);
  return value.trim();
}

function text(lookup: (key: ContextKey) => unknown, key: ContextKey): string {
  return optionalText(lookup, key)!;
}

/** A count from the context: a number from cdk.json, a string from `-c key=value`. */
function count(lookup: (key: ContextKey) => unknown, key: ContextKey): number {
  const value = lookup(key) ?? CONTEXT_DEFAULTS[key];
  const parsed = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed < 0) throw new FleetSettingsError(key, 'an integer >= 0', value);
  return parsed;
}
