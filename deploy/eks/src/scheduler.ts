import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import type { FleetConfig } from './config.js';
import { componentLabels, componentName, imageOf, NAMES, SCHEDULER_PORT, SECRET_KEYS, selectorLabels } from './fleet-names.js';
import type { Manifest } from './manifest.js';
import { checksumAnnotation, CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT, secretEnv, TMP_MOUNT, TMP_VOLUME } from './pod-settings.js';
import { fleetEnvironment } from './shared-objects.js';

const COMPONENT = 'scheduler';
const HEALTH_CHECK: IProbe['httpGet'] = { path: '/healthz', port: 'http' };

/**
 * The scheduler: its Deployment (several replicas share the work through a lease in Redis), the Service of its HTTP
 * API (on only with BLAZEFLEET_API_TOKEN, hence required from the Secret) and a PodDisruptionBudget.
 */
export function schedulerManifests(config: FleetConfig): Manifest[] {
  const name = componentName(COMPONENT);
  const metadata = { name, namespace: config.namespace, labels: componentLabels(COMPONENT) };
  const deployment: IDeployment & Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: config.scheduler.replicas,
      selector: { matchLabels: selectorLabels(COMPONENT) },
      template: {
        metadata: {
          labels: componentLabels(COMPONENT),
          annotations: {
            ...checksumAnnotation(fleetEnvironment(config)),
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(SCHEDULER_PORT),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          serviceAccountName: NAMES.schedulerServiceAccount,
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY_CONTEXT,
          terminationGracePeriodSeconds: config.scheduler.terminationGracePeriodSeconds,
          containers: [
            {
              name: COMPONENT,
              image: imageOf(config, COMPONENT),
              imagePullPolicy: config.imagePullPolicy,
              args: ['scheduler', '--port', String(SCHEDULER_PORT)],
              ports: [{ name: 'http', containerPort: SCHEDULER_PORT, protocol: 'TCP' }],
              envFrom: [{ configMapRef: { name: NAMES.configMap } }],
              env: [secretEnv(config, SECRET_KEYS.redisUrl), secretEnv(config, SECRET_KEYS.apiToken)],
              readinessProbe: { httpGet: HEALTH_CHECK, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: { httpGet: HEALTH_CHECK, initialDelaySeconds: 15, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
              resources: config.scheduler.resources,
              securityContext: CONTAINER_SECURITY_CONTEXT,
              volumeMounts: [TMP_MOUNT],
            },
          ],
          volumes: [TMP_VOLUME],
        },
      },
    },
  };
  const service: IService & Manifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(COMPONENT),
      ports: [{ name: 'http', port: SCHEDULER_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
  const disruptionBudget: IPodDisruptionBudget & Manifest = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata,
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(COMPONENT) } },
  };
  return [deployment, service, disruptionBudget];
}
