import { DEFAULT_CONFIG, POOLS, type FleetConfig, type ResourceSettings } from './config.js';

/** A configuration field that is unknown, of the wrong type or out of range. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received?: unknown,
  ) {
    super(`${field}: expected ${expected}` + (received === undefined ? '' : `, got ${JSON.stringify(received)}`));
    this.name = 'ConfigError';
  }
}

/** Fields whose value is a free map (any keys): an override replaces the default map instead of merging into it. */
const MAP_FIELDS = new Set(['nodeSelector', 'priceTable']);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/** DEFAULT_CONFIG with `overrides` (a partial FleetConfig, e.g. parsed JSON) merged in and every field checked. */
export function resolveConfig(overrides: unknown = {}): FleetConfig {
  const config = merge(DEFAULT_CONFIG, overrides, 'config') as FleetConfig;
  checkConfig(config);
  return config;
}

function merge(defaults: unknown, override: unknown, path: string): unknown {
  if (override === undefined) return defaults;
  if (!isRecord(defaults)) {
    if (typeof override !== typeof defaults) throw new ConfigError(path, `a ${typeof defaults}`, override);
    return override;
  }
  if (!isRecord(override)) throw new ConfigError(path, 'an object', override);
  if (MAP_FIELDS.has(path.slice(path.lastIndexOf('.') + 1))) return override;
  for (const key of Object.keys(override)) {
    if (!Object.hasOwn(defaults, key)) throw new ConfigError(`${path}.${key}`, `a known field (one of ${Object.keys(defaults).join(', ')})`);
  }
  return Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, merge(value, override[key], `${path}.${key}`)]));
}

function checkConfig(config: FleetConfig): void {
  matches('config.namespace', config.namespace, DNS_LABEL, 'a DNS label (lower-case letters, digits, -; at most 63)');
  matches('config.secretName', config.secretName, DNS_SUBDOMAIN, 'a Kubernetes object name');
  for (const field of ['imageRepository', 'imageTag', 'prefix', 'awsRegion'] as const) {
    if (config[field] === '') throw new ConfigError(`config.${field}`, 'a non-empty string', config[field]);
  }
  if (!PULL_POLICIES.includes(config.imagePullPolicy)) throw new ConfigError('config.imagePullPolicy', `one of ${PULL_POLICIES.join(', ')}`, config.imagePullPolicy);
  integer('config.redis.databaseIndex', config.redis.databaseIndex, 0);
  for (const [type, price] of Object.entries(config.priceTable)) {
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) throw new ConfigError(`config.priceTable.${type}`, 'a price in $/hour (a number >= 0)', price);
  }
  integer('config.scheduler.replicas', config.scheduler.replicas, 1);
  integer('config.scheduler.terminationGracePeriodSeconds', config.scheduler.terminationGracePeriodSeconds, 0);
  checkResources('config.scheduler.resources', config.scheduler.resources);
  for (const pool of POOLS) {
    const path = `config.workers.${pool}`;
    const settings = config.workers[pool];
    integer(`${path}.minReplicas`, settings.minReplicas, 0);
    integer(`${path}.maxReplicas`, settings.maxReplicas, Math.max(1, settings.minReplicas));
    integer(`${path}.concurrency`, settings.concurrency, 1);
    integer(`${path}.terminationGracePeriodSeconds`, settings.terminationGracePeriodSeconds, 120);
    matches(`${path}.workDirSizeLimit`, settings.workDirSizeLimit, QUANTITY, 'a Kubernetes quantity such as 20Gi');
    checkResources(`${path}.resources`, settings.resources);
    for (const [label, value] of Object.entries(settings.nodeSelector)) {
      if (typeof value !== 'string') throw new ConfigError(`${path}.nodeSelector.${label}`, 'a label value (a string)', value);
    }
  }
}

function checkResources(path: string, resources: ResourceSettings): void {
  for (const bound of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      matches(`${path}.${bound}.${resource}`, resources[bound][resource], QUANTITY, 'a Kubernetes quantity such as 500m, 2 or 4Gi');
    }
  }
}

function integer(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new ConfigError(field, `an integer >= ${min}`, value);
}

function matches(field: string, value: string, pattern: RegExp, expected: string): void {
  if (!pattern.test(value)) throw new ConfigError(field, expected, value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
