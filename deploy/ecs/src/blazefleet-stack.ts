import { CfnOutput, Stack, type StackProps, aws_ec2 as ec2, aws_ecs as ecs, aws_s3 as s3 } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FleetRedis } from './fleet-redis.js';
import type { FleetSettings } from './fleet-settings.js';
import { SchedulerService } from './scheduler-service.js';
import { WorkerPool } from './worker-pool.js';

export interface BlazefleetStackProps extends StackProps {
  settings: FleetSettings;
}

/**
 * A Blazefleet fleet on ECS: a VPC, the artifact bucket, Redis, the scheduler behind a load balancer, and a cpu and
 * a gpu pool of workers on EC2 capacity that scale on the queue depth.
 */
export class BlazefleetStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly scheduler: SchedulerService;
  readonly workers: { cpu: WorkerPool; gpu: WorkerPool };

  constructor(scope: Construct, id: string, props: BlazefleetStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    // Artifacts and data sets go to S3 through the gateway endpoint, not through the (paid per GB) NAT gateway.
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });

    this.bucket = new s3.Bucket(this, 'Artifacts', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });
    const redis = new FleetRedis(this, 'Redis', { vpc, nodeType: settings.redisNodeType });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc });
    const environment = { REDIS_URL: redis.url, BLAZEFLEET_PREFIX: settings.prefix, AWS_REGION: this.region };

    this.scheduler = new SchedulerService(this, 'Scheduler', {
      cluster,
      image: settings.scheduler.image,
      environment,
      certificateArn: settings.certificateArn,
    });
    redis.allowFrom(this.scheduler.service);
    this.workers = {
      cpu: new WorkerPool(this, 'CpuWorkers', { pool: 'cpu', settings: settings.pools.cpu, cluster, environment }),
      gpu: new WorkerPool(this, 'GpuWorkers', { pool: 'gpu', settings: settings.pools.gpu, cluster, environment }),
    };
    for (const pool of Object.values(this.workers)) {
      redis.allowFrom(pool.service);
      this.bucket.grantReadWrite(pool.taskDefinition.taskRole);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.scheduler.apiUrl, description: 'The scheduler HTTP API' });
    new CfnOutput(this, 'ApiTokenSecretArn', { value: this.scheduler.apiToken.secretArn, description: 'Secrets Manager secret holding BLAZEFLEET_API_TOKEN' });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'Training data and artifacts (s3:// URIs of job specs)' });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
  }
}
