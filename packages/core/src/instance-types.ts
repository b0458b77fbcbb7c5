import { describeValue } from './describe-value.js';
import { PriceTableError, UnknownInstanceTypeError } from './errors.js';
import { closestName } from './hyperparameters/fields.js';

/** Which worker pool runs an instance type: `ml.p*` and `ml.g*` types need a GPU worker. */
export type InstancePool = 'cpu' | 'gpu';

/** A SageMaker training instance type and what it provides. */
export interface InstanceTypeInfo {
  /** `ml.<family>.<size>`, e.g. `ml.c5.2xlarge`. */
  readonly name: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly gpus: number;
  /** Default on-demand price in US dollars per hour (SageMaker training, us-east-1). */
  readonly hourlyPrice: number;
}

/** Prices in US dollars per instance-hour that replace the defaults, keyed by instance type. */
export type PriceTable = Readonly<Record<string, number>>;

// Specifications and on-demand prices of SageMaker training instances in US East (N. Virginia), from
// https://aws.amazon.com/sagemaker/pricing/ (On-Demand, Training) as listed in 2024, and the instance types
// CreateTrainingJob accepts. AWS changes prices: deployments that need current or negotiated ones pass a PriceTable.
// [name, vCPUs, memory GiB, GPUs, $/hour]
const TABLE: readonly (readonly [string, number, number, number, number])[] = [
  ['ml.t3.medium', 2, 4, 0, 0.05],
  ['ml.t3.large', 2, 8, 0, 0.1],
  ['ml.t3.xlarge', 4, 16, 0, 0.2],
  ['ml.t3.2xlarge', 8, 32, 0, 0.399],
  ['ml.m5.large', 2, 8, 0, 0.115],
  ['ml.m5.xlarge', 4, 16, 0, 0.23],
  ['ml.m5.2xlarge', 8, 32, 0, 0.461],
  ['ml.m5.4xlarge', 16, 64, 0, 0.922],
  ['ml.m5.12xlarge', 48, 192, 0, 2.765],
  ['ml.m5.24xlarge', 96, 384, 0, 5.53],
  ['ml.m6i.large', 2, 8, 0, 0.115],
  ['ml.m6i.xlarge', 4, 16, 0, 0.23],
  ['ml.m6i.2xlarge', 8, 32, 0, 0.461],
  ['ml.m6i.4xlarge', 16, 64, 0, 0.922],
  ['ml.m6i.8xlarge', 32, 128, 0, 1.843],
  ['ml.m6i.12xlarge', 48, 192, 0, 2.765],
  ['ml.m6i.16xlarge', 64, 256, 0, 3.686],
  ['ml.m6i.24xlarge', 96, 384, 0, 5.53],
  ['ml.m6i.32xlarge', 128, 512, 0, 7.373],
  ['ml.c5.xlarge', 4, 8, 0, 0.204],
  ['ml.c5.2xlarge', 8, 16, 0, 0.408],
  ['ml.c5.4xlarge', 16, 32, 0, 0.816],
  ['ml.c5.9xlarge', 36, 72, 0, 1.836],
  ['ml.c5.18xlarge', 72, 144, 0, 3.672],
  ['ml.c6i.xlarge', 4, 8, 0, 0.204],
  ['ml.c6i.2xlarge', 8, 16, 0, 0.408],
  ['ml.c6i.4xlarge', 16, 32, 0, 0.816],
  ['ml.c6i.8xlarge', 32, 64, 0, 1.632],
  ['ml.c6i.12xlarge', 48, 96, 0, 2.448],
  ['ml.c6i.16xlarge', 64, 128, 0, 3.264],
  ['ml.c6i.24xlarge', 96, 192, 0, 4.896],
  ['ml.c6i.32xlarge', 128, 256, 0, 6.528],
  ['ml.r5.large', 2, 16, 0, 0.151],
  ['ml.r5.xlarge', 4, 32, 0, 0.302],
  ['ml.r5.2xlarge', 8, 64, 0, 0.605],
  ['ml.r5.4xlarge', 16, 128, 0, 1.21],
  ['ml.r5.8xlarge', 32, 256, 0, 2.419],
  ['ml.r5.12xlarge', 48, 384, 0, 3.629],
  ['ml.r5.16xlarge', 64, 512, 0, 4.838],
  ['ml.r5.24xlarge', 96, 768, 0, 7.258],
  ['ml.p3.2xlarge', 8, 61, 1, 3.825],
  ['ml.p3.8xlarge', 32, 244, 4, 14.688],
  ['ml.p3.16xlarge', 64, 488, 8, 28.152],
  ['ml.p3dn.24xlarge', 96, 768, 8, 35.894],
  ['ml.p4d.24xlarge', 96, 1152, 8, 37.688],
  ['ml.g4dn.xlarge', 4, 16, 1, 0.7364],
  ['ml.g4dn.2xlarge', 8, 32, 1, 0.94],
  ['ml.g4dn.4xlarge', 16, 64, 1, 1.505],
  ['ml.g4dn.8xlarge', 32, 128, 1, 2.72],
  ['ml.g4dn.12xlarge', 48, 192, 4, 4.89],
  ['ml.g4dn.16xlarge', 64, 256, 1, 5.44],
  ['ml.g5.xlarge', 4, 16, 1, 1.408],
  ['ml.g5.2xlarge', 8, 32, 1, 1.515],
  ['ml.g5.4xlarge', 16, 64, 1, 2.03],
  ['ml.g5.8xlarge', 32, 128, 1, 3.06],
  ['ml.g5.12xlarge', 48, 192, 4, 7.09],
  ['ml.g5.16xlarge', 64, 256, 1, 5.12],
  ['ml.g5.24xlarge', 96, 384, 4, 10.18],
  ['ml.g5.48xlarge', 192, 768, 8, 20.36],
];

/** Every instance type a training job may ask for, in table order (family, then size). */
export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = TABLE.map(([name, vcpus, memoryGiB, gpus, hourlyPrice]) =>
  Object.freeze({ name, vcpus, memoryGiB, gpus, hourlyPrice }),
);

const BY_NAME = new Map(INSTANCE_TYPES.map((info) => [info.name, info]));
const FAMILIES = [...new Set(INSTANCE_TYPES.map((info) => info.name.slice(0, info.name.lastIndexOf('.'))))];

/** Why `name` is not a known instance type, with the nearest known one; undefined when it is known. */
export function unknownInstanceTypeReason(name: string): string | undefined {
  if (BY_NAME.has(name)) return undefined;
  const nearest = closestName(name.toLowerCase(), BY_NAME.keys());
  const hint = nearest === undefined ? '' : `; did you mean ${nearest}?`;
  return `unknown instance type ${describeValue(name)}${hint} (known families: ${FAMILIES.join(', ')})`;
}

/** The instance type's specification and default price; throws UnknownInstanceTypeError for a type not in the table. */
export function describeInstanceType(name: string): InstanceTypeInfo {
  const info = BY_NAME.get(name);
  if (info === undefined) throw new UnknownInstanceTypeError(name, unknownInstanceTypeReason(name)!);
  return info;
}

/** The worker pool that runs `instanceType`: 'gpu' for the `ml.p*` and `ml.g*` families, 'cpu' otherwise. */
export function instancePool(instanceType: string): InstancePool {
  describeInstanceType(instanceType);
  return /^ml\.[pg]/.test(instanceType) ? 'gpu' : 'cpu';
}

/** On-demand US dollars per instance-hour: the override when `overrides` has one, the default otherwise. */
export function hourlyPrice(instanceType: string, overrides?: PriceTable): number {
  const info = describeInstanceType(instanceType);
  return overrides !== undefined && Object.hasOwn(overrides, instanceType) ? overrides[instanceType]! : info.hourlyPrice;
}

/** Seconds billed for a run of `wallClockSeconds`: SageMaker bills each started second. */
export function billableSeconds(wallClockSeconds: number): number {
  if (!Number.isFinite(wallClockSeconds) || wallClockSeconds < 0) {
    throw new RangeError(`wallClockSeconds must be a finite number >= 0, got ${wallClockSeconds}`);
  }
  return Math.ceil(wallClockSeconds);
}

/** US dollars for `instanceCount` instances running `wallClockSeconds`, unrounded (round when printing). */
export function cost(instanceType: string, wallClockSeconds: number, instanceCount: number, priceTable?: PriceTable): number {
  if (!Number.isSafeInteger(instanceCount) || instanceCount < 1) {
    throw new RangeError(`instanceCount must be an integer >= 1, got ${instanceCount}`);
  }
  return (billableSeconds(wallClockSeconds) * instanceCount * hourlyPrice(instanceType, priceTable)) / 3600;
}

/**
 * Reads a price table given as JSON text, e.g. `{"ml.c5.2xlarge": 0.35, "ml.g4dn.xlarge": 0.6}`: an object from
 * known instance types to finite prices >= 0 in US dollars per hour. Throws PriceTableError naming the bad entry.
 */
export function parsePriceTable(json: string): PriceTable {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new PriceTableError('', `not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PriceTableError('', `expected a JSON object of instance type to $/hour, got ${describeValue(value)}`);
  }
  const table: Record<string, number> = {};
  for (const [name, price] of Object.entries(value)) {
    const unknown = unknownInstanceTypeReason(name);
    if (unknown !== undefined) throw new PriceTableError(name, unknown);
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
      throw new PriceTableError(name, `expected a price in $/hour (a number >= 0), got ${describeValue(price)}`);
    }
    table[name] = price;
  }
  return Object.freeze(table);
}

/** SageMaker's name of the host of rank `rank` (0-based) of a job on several instances: algo-1 for rank 0. */
export function hostName(rank: number): string {
  return `algo-${rank + 1}`;
}
