import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { FleetConfig, Pool } from './config.js';
import {
  componentLabels,
  componentName,
  imageOf,
  NAMES,
  PRICE_TABLE_DIR,
  PRICE_TABLE_FILE,
  queueListName,
  SECRET_KEYS,
  selectorLabels,
  WORK_DIR,
  type Component,
} from './fleet-names.js';
import type { Manifest } from './manifest.js';
import { checksumAnnotation, CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT, secretEnv, TMP_MOUNT, TMP_VOLUME } from './pod-settings.js';
import { fleetEnvironment, hasPriceTable } from './shared-objects.js';

/** The NVIDIA device plugin's resource, and the taint GPU node groups usually carry to keep other pods off them. */
export const GPU_RESOURCE = 'nvidia.com/gpu';
const GPU_TOLERATION: IToleration = { key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' };

/** Seconds KEDA waits between reads of the queue lists, and before taking an idle pool to zero. */
const POLLING_INTERVAL_SECONDS = 15;
const COOLDOWN_SECONDS = 300;
/** A replica count the HPA lowered stays down only after this long of lower demand: fewer trials handed back and re-run. */
const SCALE_DOWN_STABILIZATION_SECONDS = 300;

/**
 * A worker pool: its Deployment (replicas left to KEDA), a PodDisruptionBudget and a KEDA ScaledObject that keeps
 * ceil((waiting + running jobs) / concurrency) workers, read from the pool's BullMQ lists.
 */
export function workerPoolManifests(config: FleetConfig, pool: Pool): Manifest[] {
  const component: Component = `worker-${pool}`;
  const settings = config.workers[pool];
  const name = componentName(component);
  const metadata = { name, namespace: config.namespace, labels: componentLabels(component) };
  const deployment: IDeployment & Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      selector: { matchLabels: selectorLabels(component) },
      template: {
        metadata: { labels: componentLabels(component), annotations: checksumAnnotation([fleetEnvironment(config), config.priceTable]) },
        spec: {
          serviceAccountName: NAMES.workerServiceAccount,
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY_CONTEXT,
          terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds,
          ...(Object.keys(settings.nodeSelector).length > 0 ? { nodeSelector: settings.nodeSelector } : {}),
          ...(pool === 'gpu' ? { tolerations: [GPU_TOLERATION] } : {}),
          containers: [workerContainer(config, pool)],
          volumes: workerVolumes(config, pool),
        },
      },
    },
  };
  const disruptionBudget: IPodDisruptionBudget & Manifest = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata,
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(component) } },
  };
  return [deployment, disruptionBudget, scaledObject(config, pool, metadata)];
}

function workerContainer(config: FleetConfig, pool: Pool): IContainer {
  const settings = config.workers[pool];
  const priceTable = hasPriceTable(config);
  const { requests, limits } = settings.resources;
  return {
    name: 'worker',
    image: imageOf(config, `worker-${pool}`),
    imagePullPolicy: config.imagePullPolicy,
    args: [
      'worker',
      ...['--pool', pool, '--work-dir', WORK_DIR, '--concurrency', String(settings.concurrency)],
      ...(settings.instanceType === '' ? [] : ['--instance-type', settings.instanceType]),
    ],
    envFrom: [{ configMapRef: { name: NAMES.configMap } }],
    env: [
      secretEnv(config, SECRET_KEYS.redisUrl),
      secretEnv(config, SECRET_KEYS.s3AccessKeyId, true),
      secretEnv(config, SECRET_KEYS.s3SecretAccessKey, true),
      ...(priceTable ? [{ name: 'BLAZEFLEET_PRICE_TABLE', value: `${PRICE_TABLE_DIR}/${PRICE_TABLE_FILE}` }] : []),
    ],
    resources: pool === 'gpu' ? { requests, limits: { ...limits, [GPU_RESOURCE]: 1 } } : { requests, limits },
    securityContext: CONTAINER_SECURITY_CONTEXT,
    volumeMounts: [
      { name: 'work', mountPath: WORK_DIR },
      TMP_MOUNT,
      ...(priceTable ? [{ name: 'price-table', mountPath: PRICE_TABLE_DIR, readOnly: true }] : []),
    ],
  };
}

function workerVolumes(config: FleetConfig, pool: Pool): IVolume[] {
  return [
    { name: 'work', emptyDir: { sizeLimit: config.workers[pool].workDirSizeLimit } },
    TMP_VOLUME,
    ...(hasPriceTable(config) ? [{ name: 'price-table', configMap: { name: NAMES.priceTableConfigMap } }] : []),
  ];
}

/**
 * Scales on waiting plus running jobs, not waiting alone: once workers take every waiting job the wait list is empty,
 * and a target of it alone would stop busy workers (whose trials then go back to the queue and start over).
 * Scaling modifiers need KEDA 2.12 or later.
 */
function scaledObject(config: FleetConfig, pool: Pool, metadata: Manifest['metadata']): IScaledObject & Manifest {
  const settings = config.workers[pool];
  const target = String(settings.concurrency);
  const trigger = (triggerName: 'waiting' | 'running', list: 'wait' | 'active') => ({
    type: 'redis',
    name: triggerName,
    metadata: {
      listName: queueListName(config.prefix, pool, list),
      listLength: target,
      databaseIndex: String(config.redis.databaseIndex),
      enableTLS: String(config.redis.tls),
    },
    authenticationRef: { name: NAMES.redisTriggerAuthentication },
  });
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: metadata.name },
      minReplicaCount: settings.minReplicas,
      maxReplicaCount: settings.maxReplicas,
      pollingInterval: POLLING_INTERVAL_SECONDS,
      cooldownPeriod: COOLDOWN_SECONDS,
      advanced: {
        scalingModifiers: { formula: 'waiting + running', target, metricType: 'AverageValue' },
        horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: SCALE_DOWN_STABILIZATION_SECONDS } } },
      },
      triggers: [trigger('waiting', 'wait'), trigger('running', 'active')],
    },
  };
}
