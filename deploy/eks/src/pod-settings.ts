import { createHash } from 'node:crypto';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { FleetConfig } from './config.js';

/** The images' user (uid and gid 1000): the root filesystem is read-only, so writes go to emptyDir volumes. */
const IMAGE_USER = 1000;

export const POD_SECURITY_CONTEXT: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: IMAGE_USER,
  runAsGroup: IMAGE_USER,
  fsGroup: IMAGE_USER,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const CONTAINER_SECURITY_CONTEXT: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

export const TMP_VOLUME: IVolume = { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } };
export const TMP_MOUNT: IVolumeMount = { name: 'tmp', mountPath: '/tmp' };

/** An environment variable read from the fleet's Secret; `optional` ones may be missing from it. */
export function secretEnv(config: FleetConfig, key: string, optional = false): IEnvVar {
  return { name: key, valueFrom: { secretKeyRef: { name: config.secretName, key, ...(optional ? { optional } : {}) } } };
}

/** A pod template annotation that changes with `data`, so that applying changed settings restarts the pods. */
export function checksumAnnotation(data: unknown): Record<string, string> {
  return { 'blazefleet/config-checksum': createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16) };
}
