import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { POOLS, type FleetConfig } from './config.js';
import { addManifest, type Manifest } from './manifest.js';
import { schedulerManifests } from './scheduler.js';
import { configMapManifests, namespaceManifest, redisTriggerAuthenticationManifest, serviceAccountManifests } from './shared-objects.js';
import { workerPoolManifests } from './worker-pool.js';

/** The chart's id, and so the name of the file it synthesizes to: `blazefleet.k8s.yaml`. */
export const CHART_ID = 'blazefleet';

/** Every object of a fleet, the Namespace first so that one `kubectl apply` of the file creates it before the rest. */
export function fleetManifests(config: FleetConfig): Manifest[] {
  return [
    namespaceManifest(config),
    ...serviceAccountManifests(config),
    ...configMapManifests(config),
    redisTriggerAuthenticationManifest(config),
    ...schedulerManifests(config),
    ...POOLS.flatMap((pool) => workerPoolManifests(config, pool)),
  ];
}

export class FleetChart extends Chart {
  constructor(scope: Construct, id: string, config: FleetConfig) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const manifest of fleetManifests(config)) addManifest(this, manifest);
  }
}

/** The fleet's manifests as one multi-document YAML file. */
export function fleetYaml(config: FleetConfig): string {
  const app = new App();
  new FleetChart(app, CHART_ID, config);
  return app.synthYaml();
}
