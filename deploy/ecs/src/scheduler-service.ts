import {
  Duration,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { STOP_TIMEOUT_SECONDS, containerImage } from './containers.js';
import type { ImageSource } from './fleet-settings.js';
import { METRICS_NAMESPACE } from './queue-depth-metrics.js';

export interface SchedulerServiceProps {
  cluster: ecs.Cluster;
  image: ImageSource;
  /** REDIS_URL, BLAZEFLEET_PREFIX and the like, shared by every service of the fleet. */
  environment: Record<string, string>;
  /** An ACM certificate for HTTPS on port 443; plain HTTP on port 80 without one. */
  certificateArn: string | undefined;
}

const API_PORT = 7070;

/**
 * The scheduler on Fargate behind an internet-facing Application Load Balancer, with its API token generated into
 * Secrets Manager; it publishes the queue depths the workers scale on (CloudWatch Embedded Metric Format in its log).
 */
export class SchedulerService extends Construct {
  readonly service: ecs.FargateService;
  readonly apiToken: secretsmanager.Secret;
  readonly logGroup: logs.LogGroup;
  readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: SchedulerServiceProps) {
    super(scope, id);
    this.apiToken = new secretsmanager.Secret(this, 'ApiToken', {
      description: 'Bearer token of the Blazefleet scheduler API (BLAZEFLEET_API_TOKEN)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
    taskDefinition.addContainer('scheduler', {
      image: containerImage(this, 'Image', props.image),
      command: ['scheduler'],
      environment: { ...props.environment, BLAZEFLEET_CLOUDWATCH_METRICS: '1', BLAZEFLEET_CLOUDWATCH_NAMESPACE: METRICS_NAMESPACE },
      secrets: { BLAZEFLEET_API_TOKEN: ecs.Secret.fromSecretsManager(this.apiToken) },
      portMappings: [{ containerPort: API_PORT }],
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'scheduler' }),
      stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition,
      desiredCount: 1,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
    });

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc: props.cluster.vpc, internetFacing: true });
    const { certificateArn } = props;
    const https = certificateArn !== undefined;
    const listener = loadBalancer.addListener('Api', {
      port: https ? 443 : 80,
      ...(https ? { certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)] } : {}),
    });
    if (https) loadBalancer.addRedirect();
    listener.addTargets('Scheduler', {
      port: API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      healthCheck: { path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
    this.apiUrl = `${https ? 'https' : 'http'}://${loadBalancer.loadBalancerDnsName}`;
  }
}
