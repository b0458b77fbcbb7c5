import { ScaledObject, type IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication, type ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { Testing } from 'cdk8s';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { POOLS, type FleetConfig, type Pool } from './config.js';
import { CHART_ID, FleetChart, fleetYaml } from './fleet-chart.js';
import { SECRET_KEYS } from './fleet-names.js';
import type { Manifest } from './manifest.js';
import { resolveConfig } from './resolve-config.js';
import { GPU_RESOURCE } from './worker-pool.js';

type Synthesized = Manifest & Record<string, unknown>;

/** The schema model of each kind the chart may emit; a kind missing here fails the validation test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

/** A configuration that turns on every optional part. */
const EVERYTHING = resolveConfig({
  namespace: 'ml-fleet',
  prefix: 'acme',
  secretName: 'fleet-credentials',
  s3Endpoint: 'http://minio.storage:9000',
  redis: { tls: true, databaseIndex: 2 },
  priceTable: { 'ml.c5.2xlarge': 0.3 },
  scheduler: { replicas: 3, terminationGracePeriodSeconds: 45 },
  workers: { cpu: { minReplicas: 1, maxReplicas: 7, concurrency: 2, instanceType: 'ml.c5.2xlarge', terminationGracePeriodSeconds: 600 } },
});
const CONFIGS: [string, FleetConfig][] = [
  ['defaults', resolveConfig()],
  ['every option', EVERYTHING],
];

function synthesize(config: FleetConfig): Synthesized[] {
  return Testing.synth(new FleetChart(Testing.app(), CHART_ID, config)) as Synthesized[];
}

function ofKind<T>(objects: Synthesized[], kind: string): (T & Manifest)[] {
  return objects.filter((object) => object.kind === kind) as unknown as (T & Manifest)[];
}

function named<T extends Manifest>(objects: T[], name: string): T {
  const found = objects.find((object) => object.metadata.name === name);
  if (found === undefined) throw new Error(`no object named ${name} among ${objects.map((object) => object.metadata.name).join(', ')}`);
  return found;
}

function podSpec(deployment: IDeployment): IPodSpec {
  const spec = deployment.spec?.template.spec;
  if (spec === undefined) throw new Error(`Deployment ${deployment.metadata?.name} has no pod spec`);
  return spec;
}

function workerDeployment(objects: Synthesized[], pool: Pool): IDeployment & Manifest {
  return named(ofKind<IDeployment>(objects, 'Deployment'), `blazefleet-worker-${pool}`);
}

function matchesSelector(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

describe.each(CONFIGS)('the fleet chart (%s)', (_label, config) => {
  const objects = synthesize(config);
  const deployments = ofKind<IDeployment>(objects, 'Deployment');
  const containers = deployments.flatMap((deployment) => podSpec(deployment).containers);

  it('emits only objects that validate against their Kubernetes or KEDA schema', () => {
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `a schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('puts the Namespace first and every other object in it', () => {
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: config.namespace } });
    for (const object of objects.slice(1)) expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(config.namespace);
  });

  it('has a Deployment for the scheduler and for each worker pool', () => {
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual(['blazefleet-scheduler', 'blazefleet-worker-cpu', 'blazefleet-worker-gpu']);
  });

  it('asks for GPUs and tolerates GPU nodes in the gpu pool only', () => {
    for (const deployment of deployments) {
      const spec = podSpec(deployment);
      const isGpu = deployment.metadata.name === 'blazefleet-worker-gpu';
      for (const container of spec.containers) {
        expect(container.resources?.limits?.[GPU_RESOURCE], `${deployment.metadata.name} GPU limit`).toBe(isGpu ? 1 : undefined);
        expect(container.resources?.requests?.[GPU_RESOURCE]).toBeUndefined();
      }
      const gpuTolerations = (spec.tolerations ?? []).filter((toleration) => toleration.key === GPU_RESOURCE);
      expect(gpuTolerations.length, `${deployment.metadata.name} GPU tolerations`).toBe(isGpu ? 1 : 0);
      expect(spec.nodeSelector, `${deployment.metadata.name} node selector`).toEqual(isGpu ? config.workers.gpu.nodeSelector : undefined);
    }
  });

  it('gives workers the configured grace period to hand back their trials, at least 120 s', () => {
    for (const pool of POOLS) {
      const grace = podSpec(workerDeployment(objects, pool)).terminationGracePeriodSeconds;
      expect(grace).toBe(config.workers[pool].terminationGracePeriodSeconds);
      expect(grace).toBeGreaterThanOrEqual(120);
    }
    expect(podSpec(named(deployments, 'blazefleet-scheduler')).terminationGracePeriodSeconds).toBe(config.scheduler.terminationGracePeriodSeconds);
  });

  it("scales each worker Deployment with KEDA on its own pool's BullMQ lists", () => {
    const scaledObjects = ofKind<IScaledObject>(objects, 'ScaledObject');
    expect(scaledObjects).toHaveLength(POOLS.length);
    const authentications = ofKind<ITriggerAuthentication>(objects, 'TriggerAuthentication');
    for (const pool of POOLS) {
      const deployment = workerDeployment(objects, pool);
      const scaled = scaledObjects.find((object) => object.spec.scaleTargetRef.name === deployment.metadata.name);
      expect(scaled?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
      expect(scaled?.spec.minReplicaCount).toBe(config.workers[pool].minReplicas);
      expect(scaled?.spec.maxReplicaCount).toBe(config.workers[pool].maxReplicas);
      const triggers = scaled?.spec.triggers ?? [];
      expect(triggers.map((trigger) => trigger.metadata.listName)).toEqual([
        `${config.prefix}:bull:training-${pool}:wait`,
        `${config.prefix}:bull:training-${pool}:active`,
      ]);
      for (const trigger of triggers) {
        expect(trigger.type).toBe('redis');
        expect(trigger.metadata.listLength).toBe(String(config.workers[pool].concurrency));
        expect(trigger.metadata.enableTLS).toBe(String(config.redis.tls));
        expect(trigger.metadata.databaseIndex).toBe(String(config.redis.databaseIndex));
        expect(trigger.metadata).not.toHaveProperty('address');
        expect(trigger.metadata).not.toHaveProperty('password');
        expect(authentications.map((authentication) => authentication.metadata.name)).toContain(trigger.authenticationRef?.name);
      }
      expect(scaled?.spec.advanced?.scalingModifiers?.formula).toBe(triggers.map((trigger) => trigger.name).join(' + '));
      expect(scaled?.spec.advanced?.scalingModifiers?.target).toBe(String(config.workers[pool].concurrency));
      expect(deployment.spec).not.toHaveProperty('replicas');
    }
  });

  it('passes the concurrency KEDA divides by to the workers themselves', () => {
    for (const pool of POOLS) {
      const args = podSpec(workerDeployment(objects, pool)).containers[0]?.args ?? [];
      expect(args.slice(0, 3)).toEqual(['worker', '--pool', pool]);
      expect(args[args.indexOf('--concurrency') + 1]).toBe(String(config.workers[pool].concurrency));
      const instanceType = config.workers[pool].instanceType;
      expect(args.includes('--instance-type') ? args[args.indexOf('--instance-type') + 1] : '').toBe(instanceType);
    }
  });

  it('reads credentials from the existing Secret and never inlines them', () => {
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    const secretKeys: string[] = Object.values(SECRET_KEYS);
    for (const container of containers) {
      for (const variable of container.env ?? []) {
        if (!secretKeys.includes(variable.name)) continue;
        expect(variable.value, variable.name).toBeUndefined();
        expect(variable.valueFrom?.secretKeyRef).toMatchObject({ name: config.secretName, key: variable.name });
      }
    }
    for (const configMap of ofKind<IConfigMap>(objects, 'ConfigMap')) {
      for (const key of secretKeys) expect(configMap.data ?? {}).not.toHaveProperty(key);
    }
    for (const authentication of ofKind<ITriggerAuthentication>(objects, 'TriggerAuthentication')) {
      for (const reference of authentication.spec.secretTargetRef ?? []) {
        expect(reference.name).toBe(config.secretName);
        expect(secretKeys).toContain(reference.key);
      }
    }
  });

  it('gives Redis to every service, the API token to the scheduler only and S3 keys to workers only, optionally', () => {
    const secretEnv = (deployment: IDeployment) =>
      Object.fromEntries((podSpec(deployment).containers[0]?.env ?? []).flatMap((variable) => (variable.valueFrom?.secretKeyRef ? [[variable.name, variable.valueFrom.secretKeyRef.optional ?? false]] : [])));
    expect(secretEnv(named(deployments, 'blazefleet-scheduler'))).toEqual({ [SECRET_KEYS.redisUrl]: false, [SECRET_KEYS.apiToken]: false });
    for (const pool of POOLS) {
      expect(secretEnv(workerDeployment(objects, pool))).toEqual({
        [SECRET_KEYS.redisUrl]: false,
        [SECRET_KEYS.s3AccessKeyId]: true,
        [SECRET_KEYS.s3SecretAccessKey]: true,
      });
    }
  });

  it('sets requests and limits on every container and health probes on the one that serves HTTP', () => {
    for (const container of containers) {
      for (const bound of ['requests', 'limits'] as const) {
        expect(container.resources?.[bound], `${container.name} ${bound}`).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      }
      const ports = (container.ports ?? []).map((port) => port.name);
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        if (ports.length === 0) {
          expect(probe, `${container.name} has no port to probe`).toBeUndefined();
          continue;
        }
        expect(probe?.httpGet?.path).toBe('/healthz');
        expect(ports).toContain(probe?.httpGet?.port);
      }
    }
    const scheduler = podSpec(named(deployments, 'blazefleet-scheduler')).containers[0];
    expect(scheduler?.ports).toEqual([{ name: 'http', containerPort: 7070, protocol: 'TCP' }]);
  });

  it('runs as non-root on a read-only root filesystem, writing only to emptyDir volumes', () => {
    for (const deployment of deployments) {
      const spec = podSpec(deployment);
      expect(spec.securityContext?.runAsNonRoot).toBe(true);
      expect(spec.securityContext?.runAsUser).toBe(1000);
      const emptyDirs = new Set((spec.volumes ?? []).filter((volume) => volume.emptyDir !== undefined).map((volume) => volume.name));
      for (const container of spec.containers) {
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        for (const mount of container.volumeMounts ?? []) {
          expect(emptyDirs.has(mount.name) || mount.readOnly === true, `${container.name} mount ${mount.mountPath}`).toBe(true);
        }
      }
    }
    for (const pool of POOLS) {
      const spec = podSpec(workerDeployment(objects, pool));
      const container = spec.containers[0] as IContainer;
      const workDir = container.args?.[container.args.indexOf('--work-dir') + 1];
      const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === workDir);
      const volume = spec.volumes?.find((candidate) => candidate.name === mount?.name);
      expect(volume?.emptyDir?.sizeLimit).toBe(config.workers[pool].workDirSizeLimit);
    }
  });

  it('selects the same pods from each Deployment, its Service and its PodDisruptionBudget, and no other', () => {
    for (const deployment of deployments) {
      expect(matchesSelector(deployment.spec?.selector.matchLabels, deployment.spec?.template.metadata?.labels), `${deployment.metadata.name} selects its own pods`).toBe(true);
    }
    const selectedBy = (selector: Record<string, string> | undefined) =>
      deployments.filter((deployment) => matchesSelector(selector, deployment.spec?.template.metadata?.labels)).map((deployment) => deployment.metadata.name);
    const budgets = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
    expect(budgets.map((budget) => selectedBy(budget.spec?.selector?.matchLabels)).sort()).toEqual(deployments.map((deployment) => [deployment.metadata.name]).sort());
    const services = ofKind<IService>(objects, 'Service');
    expect(services.map((service) => selectedBy(service.spec?.selector))).toEqual([['blazefleet-scheduler']]);
    const schedulerPorts = podSpec(named(deployments, 'blazefleet-scheduler')).containers.flatMap((container) => container.ports ?? []);
    for (const port of services[0]?.spec?.ports ?? []) expect(schedulerPorts.map((declared) => declared.name)).toContain(port.targetPort);
  });

  it('names only ServiceAccounts and ConfigMaps it creates', () => {
    const accounts = objects.filter((object) => object.kind === 'ServiceAccount').map((object) => object.metadata.name);
    const configMaps = objects.filter((object) => object.kind === 'ConfigMap').map((object) => object.metadata.name);
    for (const deployment of deployments) {
      const spec = podSpec(deployment);
      expect(accounts).toContain(spec.serviceAccountName);
      for (const container of spec.containers) for (const source of container.envFrom ?? []) expect(configMaps).toContain(source.configMapRef?.name);
      for (const volume of spec.volumes ?? []) if (volume.configMap) expect(configMaps).toContain(volume.configMap.name);
    }
  });

  it('writes the same objects to its YAML file', () => {
    expect(parseAllDocuments(fleetYaml(config)).map((document) => document.toJS() as unknown)).toEqual(objects);
  });
});

describe('the fleet settings', () => {
  it('go to the services through the ConfigMap, the S3 endpoint only when one is set', () => {
    const data = (config: FleetConfig) => named(ofKind<IConfigMap>(synthesize(config), 'ConfigMap'), 'blazefleet').data;
    expect(data(resolveConfig())).toEqual({ BLAZEFLEET_PREFIX: 'blazefleet', AWS_REGION: 'us-east-1' });
    expect(data(EVERYTHING)).toEqual({ BLAZEFLEET_PREFIX: 'acme', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: 'http://minio.storage:9000' });
  });

  it('mount a price table, when there is one, where BLAZEFLEET_PRICE_TABLE points', () => {
    for (const config of [resolveConfig(), EVERYTHING]) {
      const objects = synthesize(config);
      const configMaps = ofKind<IConfigMap>(objects, 'ConfigMap');
      for (const pool of POOLS) {
        const spec = podSpec(workerDeployment(objects, pool));
        const container = spec.containers[0] as IContainer;
        const path = container.env?.find((variable) => variable.name === 'BLAZEFLEET_PRICE_TABLE')?.value;
        if (Object.keys(config.priceTable).length === 0) {
          expect(path).toBeUndefined();
          continue;
        }
        const mount = container.volumeMounts?.find((candidate) => path?.startsWith(`${candidate.mountPath}/`));
        const volume = spec.volumes?.find((candidate) => candidate.name === mount?.name);
        const file = path?.slice((mount?.mountPath.length ?? 0) + 1) ?? '';
        const data = named(configMaps, volume?.configMap?.name ?? '').data ?? {};
        expect(JSON.parse(data[file] ?? 'null')).toEqual(config.priceTable);
      }
    }
  });

  it('restart the pods when they change', () => {
    const checksum = (config: FleetConfig, pool: Pool) => workerDeployment(synthesize(config), pool).spec?.template.metadata?.annotations?.['blazefleet/config-checksum'];
    expect(checksum(resolveConfig({ prefix: 'other' }), 'cpu')).not.toBe(checksum(resolveConfig(), 'cpu'));
    expect(checksum(resolveConfig({ workers: { cpu: { maxReplicas: 20 } } }), 'cpu')).toBe(checksum(resolveConfig(), 'cpu'));
  });
});

describe('the schema validation the chart test relies on', () => {
  it('rejects an object that breaks its schema', () => {
    const deployment = workerDeployment(synthesize(resolveConfig()), 'cpu');
    const { selector: _selector, ...withoutSelector } = deployment.spec!;
    expect(() => new Deployment({ ...deployment, spec: withoutSelector } as never).validate()).toThrow(/selector/);
    const scaled = ofKind<IScaledObject>(synthesize(resolveConfig()), 'ScaledObject')[0]!;
    expect(() => new ScaledObject({ ...scaled, spec: { ...scaled.spec, minReplicaCount: 'one' } } as never).validate()).toThrow(/minReplicaCount/);
  });
});

describe('the README', () => {
  it('documents every Secret key the manifests read', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const secretSection = readme.slice(readme.indexOf('## The Secret'), readme.indexOf('## Deploy'));
    for (const key of Object.values(SECRET_KEYS)) expect(secretSection).toContain(`\`${key}\``);
  });
});
