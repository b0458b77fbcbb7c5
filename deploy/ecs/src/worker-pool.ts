import type { InstancePool } from '@blazefleet/core';
import {
  Duration,
  aws_applicationautoscaling as appscaling,
  aws_autoscaling as autoscaling,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_iam as iam,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { STOP_TIMEOUT_SECONDS, containerImage } from './containers.js';
import type { WorkerPoolSettings } from './fleet-settings.js';
import { queueDemandMetric, queueWaitingMetric } from './queue-depth-metrics.js';

export interface WorkerPoolProps {
  pool: InstancePool;
  settings: WorkerPoolSettings;
  cluster: ecs.Cluster;
  /** REDIS_URL, BLAZEFLEET_PREFIX and the like, shared by every service of the fleet. */
  environment: Record<string, string>;
}

/** CPU units (1024 a vCPU) and memory left on each host to the ECS agent and the operating system. */
const HOST_CPU_UNITS_KEPT = 512;
const HOST_MEMORY_SHARE = 0.85;
/** Root volume of each host: images (the GPU one carries CUDA), and the data sets and models of its trials. */
const HOST_VOLUME_GIB = 100;

/** Workers added while jobs wait, by how many wait: the alarm repeats every minute while jobs keep waiting. */
const SCALE_OUT_STEPS: appscaling.ScalingInterval[] = [
  { upper: 0, change: 0 },
  { lower: 1, change: +1 },
  { lower: 3, change: +3 },
  { lower: 10, change: +10 },
];
/** About the time a new host takes to boot and register, so that one backlog does not start hosts twice. */
const SCALE_OUT_COOLDOWN = Duration.minutes(3);
/** How long the pool has had nothing to do before its workers go down to the minimum. */
const IDLE_MINUTES_BEFORE_SCALE_IN = 10;

/**
 * The workers of one pool: an Auto Scaling group of EC2 hosts as the cluster's capacity provider (ECS starts hosts for
 * the tasks it places, and removes idle ones), a worker task per host (per GPU for GPU hosts) that reserves the host's
 * share, and a service whose task count follows the queue depth the scheduler publishes.
 */
export class WorkerPool extends Construct {
  readonly service: ecs.Ec2Service;
  readonly taskDefinition: ecs.Ec2TaskDefinition;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id);
    const { pool, settings, cluster } = props;
    const workersPerHost = Math.max(1, settings.host.gpus);
    const capacityProvider = new ecs.AsgCapacityProvider(this, 'Capacity', {
      autoScalingGroup: this.#hosts(cluster.vpc, settings, Math.ceil(settings.maxWorkers / workersPerHost)),
      enableManagedTerminationProtection: true,
    });
    cluster.addAsgCapacityProvider(capacityProvider);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.taskDefinition = new ecs.Ec2TaskDefinition(this, 'Task', { networkMode: ecs.NetworkMode.AWS_VPC });
    this.taskDefinition.addContainer('worker', {
      image: containerImage(this, 'Image', settings.image),
      command: ['worker', '--pool', pool, '--work-dir', '/work'],
      environment: props.environment,
      cpu: Math.floor((settings.host.vcpus * 1024 - HOST_CPU_UNITS_KEPT) / workersPerHost),
      memoryReservationMiB: Math.floor((settings.host.memoryGiB * 1024 * HOST_MEMORY_SHARE) / workersPerHost),
      ...(pool === 'gpu' ? { gpuCount: 1 } : {}),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: `worker-${pool}` }),
      stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
    });

    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: settings.minWorkers,
      capacityProviderStrategies: [{ capacityProvider: capacityProvider.capacityProviderName, weight: 1 }],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      // A deployment stops the old workers first (their trials go back to the queue) so that no extra hosts are needed.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });
    // The ranks of a job on several instances synchronize over TCP, each on a free port of its task's address.
    this.service.connections.allowInternally(ec2.Port.tcpRange(1024, 65535), 'Workers of a job on several instances');
    this.#scaleOnQueueDepth(pool, settings);
  }

  #hosts(vpc: ec2.IVpc, settings: WorkerPoolSettings, maxHosts: number): autoscaling.AutoScalingGroup {
    const hardware = settings.host.gpus > 0 ? ecs.AmiHardwareType.GPU : ecs.AmiHardwareType.STANDARD;
    const userData = ec2.UserData.forLinux();
    if (settings.host.gpus > 0) userData.addCommands('echo ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config');
    const launchTemplate = new ec2.LaunchTemplate(this, 'HostTemplate', {
      instanceType: new ec2.InstanceType(settings.instanceType),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(hardware),
      userData,
      role: new iam.Role(this, 'HostRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
      securityGroup: new ec2.SecurityGroup(this, 'HostSecurityGroup', { vpc, description: 'Blazefleet worker hosts: outbound only' }),
      requireImdsv2: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(HOST_VOLUME_GIB, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true }) }],
    });
    return new autoscaling.AutoScalingGroup(this, 'Hosts', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: 0,
      maxCapacity: maxHosts,
    });
  }

  /**
   * Out: while jobs wait, more workers (ECS starts hosts for them). In: once no job has waited or run for a while, down
   * to the minimum; a worker stopped while it runs a trial hands it back to the queue (SIGTERM, then STOP_TIMEOUT).
   */
  #scaleOnQueueDepth(pool: InstancePool, settings: WorkerPoolSettings): void {
    const scaling = this.service.autoScaleTaskCount({ minCapacity: settings.minWorkers, maxCapacity: settings.maxWorkers });
    scaling.scaleOnMetric('ScaleOutWhileJobsWait', {
      metric: queueWaitingMetric(pool),
      scalingSteps: SCALE_OUT_STEPS,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: SCALE_OUT_COOLDOWN,
    });
    scaling.scaleOnMetric('ScaleInWhenIdle', {
      metric: queueDemandMetric(pool),
      scalingSteps: [
        { upper: 0, change: -settings.maxWorkers },
        { lower: 1, change: 0 },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      evaluationPeriods: IDLE_MINUTES_BEFORE_SCALE_IN,
    });
  }
}
