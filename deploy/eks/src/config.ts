/** The worker pools of a fleet; each has its own BullMQ queue, Deployment and autoscaler. */
export const POOLS = ['cpu', 'gpu'] as const;
export type Pool = (typeof POOLS)[number];

// Type aliases, not interfaces: they must fit kubernetes-models' resource maps (string index signatures).
export type ComputeResources = { cpu: string; memory: string };
export type ResourceSettings = { requests: ComputeResources; limits: ComputeResources };

export interface SchedulerSettings {
  replicas: number;
  resources: ResourceSettings;
  terminationGracePeriodSeconds: number;
}

export interface WorkerPoolSettings {
  /** KEDA's bounds; 0 lets the pool scale to zero when its queue is empty. */
  minReplicas: number;
  maxReplicas: number;
  /** Trials one worker runs at once (`--concurrency`), and so the queued-plus-running jobs KEDA aims at per replica. */
  concurrency: number;
  resources: ResourceSettings;
  /** Time a stopping worker has to checkpoint its trials and hand them back; at least 120. */
  terminationGracePeriodSeconds: number;
  /** Size limit of the emptyDir that holds trial directories (`--work-dir`). */
  workDirSizeLimit: string;
  nodeSelector: Record<string, string>;
  /** `--instance-type` for the cost of trials; '' charges what each job asks for. */
  instanceType: string;
}

export interface FleetConfig {
  namespace: string;
  /** Images are `<imageRepository>/<target>:<imageTag>`, target one of scheduler, worker-cpu, worker-gpu. */
  imageRepository: string;
  imageTag: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** BLAZEFLEET_PREFIX: the fleet's Redis key prefix. */
  prefix: string;
  /** The existing Secret with REDIS_URL, REDIS_ADDRESS, REDIS_PASSWORD, BLAZEFLEET_API_TOKEN and optional S3 keys. */
  secretName: string;
  awsRegion: string;
  /** AWS_ENDPOINT_URL_S3 for an S3-compatible store; '' for AWS S3 itself. */
  s3Endpoint: string;
  /** How KEDA reaches the Redis of REDIS_ADDRESS (the services read REDIS_URL instead). */
  redis: { tls: boolean; databaseIndex: number };
  /** $/hour by instance type over the built-in defaults (BLAZEFLEET_PRICE_TABLE); {} keeps the defaults. */
  priceTable: Record<string, number>;
  scheduler: SchedulerSettings;
  workers: Record<Pool, WorkerPoolSettings>;
}

export const DEFAULT_CONFIG: FleetConfig = {
  namespace: 'blazefleet',
  imageRepository: 'blazefleet',
  imageTag: '0.1.0',
  imagePullPolicy: 'IfNotPresent',
  prefix: 'blazefleet',
  secretName: 'blazefleet',
  awsRegion: 'us-east-1',
  s3Endpoint: '',
  redis: { tls: false, databaseIndex: 0 },
  priceTable: {},
  scheduler: {
    replicas: 2,
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    terminationGracePeriodSeconds: 60,
  },
  workers: {
    cpu: {
      minReplicas: 0,
      maxReplicas: 10,
      concurrency: 1,
      resources: { requests: { cpu: '4', memory: '8Gi' }, limits: { cpu: '4', memory: '8Gi' } },
      terminationGracePeriodSeconds: 300,
      workDirSizeLimit: '20Gi',
      nodeSelector: {},
      instanceType: '',
    },
    gpu: {
      minReplicas: 0,
      maxReplicas: 4,
      concurrency: 1,
      resources: { requests: { cpu: '4', memory: '16Gi' }, limits: { cpu: '4', memory: '16Gi' } },
      terminationGracePeriodSeconds: 300,
      workDirSizeLimit: '50Gi',
      nodeSelector: { 'blazefleet/pool': 'gpu' },
      instanceType: '',
    },
  },
};
