import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/** What every generated Kubernetes object has; the generators type the rest with kubernetes-models' interfaces. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export function addManifest(scope: Construct, manifest: Manifest): void {
  new ApiObject(scope, `${manifest.kind}-${manifest.metadata.name}`, manifest);
}
