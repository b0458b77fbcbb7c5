import type { FleetConfig, Pool } from './config.js';

/** A part of the fleet with its own Deployment (and image target of docker/Dockerfile). */
export type Component = 'scheduler' | `worker-${Pool}`;

/** Keys of the existing Secret (config.secretName) that the manifests read; the manifests never hold their values. */
export const SECRET_KEYS = {
  redisUrl: 'REDIS_URL',
  redisAddress: 'REDIS_ADDRESS',
  redisPassword: 'REDIS_PASSWORD',
  apiToken: 'BLAZEFLEET_API_TOKEN',
  s3AccessKeyId: 'AWS_ACCESS_KEY_ID',
  s3SecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
} as const;

export const SCHEDULER_PORT = 7070;
export const WORK_DIR = '/work';
export const PRICE_TABLE_DIR = '/etc/blazefleet';
export const PRICE_TABLE_FILE = 'price-table.json';

export const NAMES = {
  configMap: 'blazefleet',
  priceTableConfigMap: 'blazefleet-price-table',
  redisTriggerAuthentication: 'blazefleet-redis',
  schedulerServiceAccount: 'blazefleet-scheduler',
  workerServiceAccount: 'blazefleet-worker',
} as const;

/** Name of a component's Deployment, Service, PodDisruptionBudget and ScaledObject. */
export function componentName(component: Component): string {
  return `blazefleet-${component}`;
}

/** The labels that select a component's pods; stable across versions, as Deployment selectors cannot change. */
export function selectorLabels(component: Component): Record<string, string> {
  return { 'app.kubernetes.io/name': 'blazefleet', 'app.kubernetes.io/component': component };
}

/** Labels of every object of the fleet. */
export const FLEET_LABELS: Record<string, string> = { 'app.kubernetes.io/part-of': 'blazefleet', 'app.kubernetes.io/managed-by': 'cdk8s' };

export function componentLabels(component: Component): Record<string, string> {
  return { ...selectorLabels(component), ...FLEET_LABELS };
}

export function imageOf(config: FleetConfig, component: Component): string {
  return `${config.imageRepository}/${component}:${config.imageTag}`;
}

/** A Redis list of a pool's BullMQ queue (`training-<pool>` under the BullMQ prefix `<prefix>:bull`). */
export function queueListName(prefix: string, pool: Pool, list: 'wait' | 'active'): string {
  return `${prefix}:bull:training-${pool}:${list}`;
}
