import type { ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { FleetConfig } from './config.js';
import { FLEET_LABELS, NAMES, PRICE_TABLE_FILE, SECRET_KEYS } from './fleet-names.js';
import type { Manifest } from './manifest.js';

function metadata(config: FleetConfig, name: string): Manifest['metadata'] {
  return { name, namespace: config.namespace, labels: FLEET_LABELS };
}

export function namespaceManifest(config: FleetConfig): INamespace & Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: config.namespace, labels: FLEET_LABELS } };
}

/**
 * One identity per component and none of them talks to the Kubernetes API. The worker's is the one to give S3 access
 * (EKS Pod Identity association or IRSA annotation) instead of keys in the Secret.
 */
export function serviceAccountManifests(config: FleetConfig): (IServiceAccount & Manifest)[] {
  return [NAMES.schedulerServiceAccount, NAMES.workerServiceAccount].map((name) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: metadata(config, name),
    automountServiceAccountToken: false,
  }));
}

/** The non-secret settings every service reads from its environment. */
export function fleetEnvironment(config: FleetConfig): Record<string, string> {
  return {
    BLAZEFLEET_PREFIX: config.prefix,
    AWS_REGION: config.awsRegion,
    ...(config.s3Endpoint === '' ? {} : { AWS_ENDPOINT_URL_S3: config.s3Endpoint }),
  };
}

export function hasPriceTable(config: FleetConfig): boolean {
  return Object.keys(config.priceTable).length > 0;
}

export function configMapManifests(config: FleetConfig): (IConfigMap & Manifest)[] {
  const environment: IConfigMap & Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(config, NAMES.configMap), data: fleetEnvironment(config) };
  if (!hasPriceTable(config)) return [environment];
  const priceTable: IConfigMap & Manifest = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(config, NAMES.priceTableConfigMap),
    data: { [PRICE_TABLE_FILE]: JSON.stringify(config.priceTable, null, 2) },
  };
  return [environment, priceTable];
}

/** How KEDA's redis scaler reaches the fleet's Redis: host:port and password from the Secret (it cannot read a URL). */
export function redisTriggerAuthenticationManifest(config: FleetConfig): ITriggerAuthentication & Manifest {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: metadata(config, NAMES.redisTriggerAuthentication),
    spec: {
      secretTargetRef: [
        { parameter: 'address', name: config.secretName, key: SECRET_KEYS.redisAddress },
        { parameter: 'password', name: config.secretName, key: SECRET_KEYS.redisPassword },
      ],
    },
  };
}
