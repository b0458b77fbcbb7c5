import { queueDepthEmfLines } from '@blazefleet/scheduler';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BlazefleetStack } from './blazefleet-stack.js';
import { CONTEXT_DEFAULTS, fleetSettings } from './fleet-settings.js';

// One synthesis of the default stack for every test of this file.
const settings = fleetSettings(() => undefined);
const template = Template.fromStack(new BlazefleetStack(new App(), 'Fleet', { settings }));

type Resource = { Type: string; Properties: Record<string, any> };
const resources = (type: string) => template.findResources(type) as Record<string, Resource>;
const resource = (id: string) => template.toJSON().Resources[id] as Resource;
const refId = (value: { Ref?: string; 'Fn::GetAtt'?: [string, string] }) => value.Ref ?? value['Fn::GetAtt']![0];

function container(command: string[]) {
  const found = Object.entries(resources('AWS::ECS::TaskDefinition')).flatMap(([id, task]) =>
    (task.Properties.ContainerDefinitions as Record<string, any>[]).filter((c) => JSON.stringify(c.Command) === JSON.stringify(command)).map((c) => ({ taskId: id, task, container: c })),
  );
  expect(found, `one container runs ${command.join(' ')}`).toHaveLength(1);
  return found[0]!;
}

function serviceOf(taskId: string): [string, Resource] {
  const found = Object.entries(resources('AWS::ECS::Service')).filter(([, service]) => service.Properties.TaskDefinition.Ref === taskId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The launch template of the hosts the service's capacity provider starts. */
function hostTemplateOf(service: Resource): Resource {
  const [strategy] = service.Properties.CapacityProviderStrategy as { CapacityProvider: { Ref: string } }[];
  const provider = resource(strategy!.CapacityProvider.Ref);
  const group = resource(provider.Properties.AutoScalingGroupProvider.AutoScalingGroupArn.Ref);
  return resource(group.Properties.LaunchTemplate.LaunchTemplateId.Ref);
}

const schedulerContainer = container(['scheduler']).container;
const env = (c: Record<string, any>) => Object.fromEntries((c.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));

describe.each(['cpu', 'gpu'] as const)('the %s worker pool', (pool) => {
  const { taskId, task, container: worker } = container(['worker', '--pool', pool, '--work-dir', '/work']);
  const [serviceId, service] = serviceOf(taskId);

  it(`runs on ${pool === 'cpu' ? 'c5' : 'p3 (GPU-optimized ECS AMI)'} hosts of an EC2 capacity provider with managed scaling`, () => {
    const launchTemplate = hostTemplateOf(service);
    const instanceType = launchTemplate.Properties.LaunchTemplateData.InstanceType;
    expect(instanceType).toBe(pool === 'cpu' ? CONTEXT_DEFAULTS.cpuInstanceType : CONTEXT_DEFAULTS.gpuInstanceType);
    expect(instanceType).toMatch(pool === 'cpu' ? /^c5\./ : /^p3\./);
    const image = template.toJSON().Parameters[launchTemplate.Properties.LaunchTemplateData.ImageId.Ref].Default as string;
    expect(image).toMatch(pool === 'cpu' ? /^\/aws\/service\/ecs\/optimized-ami\/[^/]+\/recommended\// : /^\/aws\/service\/ecs\/optimized-ami\/[^/]+\/gpu\/recommended\//);
    const provider = resource(service.Properties.CapacityProviderStrategy[0].CapacityProvider.Ref);
    expect(provider.Properties.AutoScalingGroupProvider.ManagedScaling.Status).toBe('ENABLED');
  });

  it('lets its workers reach each other on unprivileged TCP ports (the hosts of a job on several instances), nothing else in', () => {
    const groupId = refId(service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0]);
    const ingress = Object.values(resources('AWS::EC2::SecurityGroupIngress')).filter((rule) => refId(rule.Properties.GroupId) === groupId);
    expect(ingress.map((rule) => rule.Properties)).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 1024, ToPort: 65535 })]);
    expect(refId(ingress[0]!.Properties.SourceSecurityGroupId)).toBe(groupId);
  });

  it(pool === 'gpu' ? 'reserves one GPU per worker' : 'reserves no GPU', () => {
    expect(worker.ResourceRequirements).toEqual(pool === 'gpu' ? [{ Type: 'GPU', Value: '1' }] : undefined);
    expect(task.Properties.RequiresCompatibilities).toEqual(['EC2']);
  });

  it("has a task role that may use the fleet's bucket and its objects, and nothing else", () => {
    const roleId = refId(task.Properties.TaskRoleArn);
    const policies = Object.values(resources('AWS::IAM::Policy')).filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    expect(statements.length).toBeGreaterThan(0);
    const [bucketId] = Object.keys(resources('AWS::S3::Bucket'));
    const bucketArn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    for (const statement of statements) {
      expect([statement.Action].flat().every((action) => action.startsWith('s3:'))).toBe(true);
      expect(statement.Resource).toEqual([bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }]);
    }
  });

  it('scales between the minimum and maximum workers on the queue depth the scheduler publishes', () => {
    const targets = Object.entries(resources('AWS::ApplicationAutoScaling::ScalableTarget')).filter(([, target]) =>
      JSON.stringify(target.Properties.ResourceId).includes(`"${serviceId}"`),
    );
    expect(targets).toHaveLength(1);
    const [targetId, target] = targets[0]!;
    const poolSettings = settings.pools[pool];
    expect([target.Properties.MinCapacity, target.Properties.MaxCapacity]).toEqual([poolSettings.minWorkers, poolSettings.maxWorkers]);

    const policies = Object.entries(resources('AWS::ApplicationAutoScaling::ScalingPolicy')).filter(([, policy]) => policy.Properties.ScalingTargetId.Ref === targetId);
    const alarmOf = (policyId: string) => Object.values(resources('AWS::CloudWatch::Alarm')).find((alarm) => alarm.Properties.AlarmActions[0].Ref === policyId)!;
    const adjustments = (policy: Resource) => (policy.Properties.StepScalingPolicyConfiguration.StepAdjustments as { ScalingAdjustment: number }[]).map((s) => s.ScalingAdjustment);
    const scaleOut = policies.filter(([, policy]) => adjustments(policy).every((change) => change > 0));
    const scaleIn = policies.filter(([, policy]) => adjustments(policy).every((change) => change < 0));
    expect([scaleOut.length, scaleIn.length]).toEqual([1, 1]);

    const published = JSON.parse(queueDepthEmfLines({ cpu: { waiting: 0, active: 0, delayed: 0 }, gpu: { waiting: 0, active: 0, delayed: 0 } }, env(schedulerContainer).BLAZEFLEET_CLOUDWATCH_NAMESPACE as string, 0)[0]!);
    const [declaration] = published._aws.CloudWatchMetrics;
    const outAlarm = alarmOf(scaleOut[0]![0]).Properties;
    expect(outAlarm).toMatchObject({ Namespace: declaration.Namespace, MetricName: 'QueueWaiting', Dimensions: [{ Name: declaration.Dimensions[0][0], Value: pool }] });
    expect(outAlarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    expect(outAlarm.Threshold).toBeGreaterThan(0);

    const inAlarm = alarmOf(scaleIn[0]![0]).Properties;
    const inMetrics = (inAlarm.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[]).flatMap((m) => (m.MetricStat === undefined ? [] : [m.MetricStat.Metric]));
    expect(inMetrics.map((m) => m.MetricName).sort()).toEqual(['QueueActive', 'QueueWaiting']);
    for (const metric of inMetrics) expect(metric).toMatchObject({ Namespace: declaration.Namespace, Dimensions: [{ Name: 'Pool', Value: pool }] });
    expect([inAlarm.ComparisonOperator, inAlarm.Threshold]).toEqual(['LessThanOrEqualToThreshold', 0]);
    expect(declaration.Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual(['QueueActive', 'QueueWaiting']);
  });
});

describe('the scheduler', () => {
  const { taskId } = container(['scheduler']);
  const [, service] = serviceOf(taskId);

  it('gets BLAZEFLEET_API_TOKEN from a secret the stack generates', () => {
    expect(schedulerContainer.Secrets).toHaveLength(1);
    expect(schedulerContainer.Secrets[0].Name).toBe('BLAZEFLEET_API_TOKEN');
    const secret = resource(schedulerContainer.Secrets[0].ValueFrom.Ref);
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties.GenerateSecretString).toBeDefined();
    expect(env(schedulerContainer).BLAZEFLEET_API_TOKEN).toBeUndefined();
  });

  it('publishes the queue depths to CloudWatch', () => {
    expect(env(schedulerContainer).BLAZEFLEET_CLOUDWATCH_METRICS).toBe('1');
  });

  it('is behind an internet-facing load balancer that checks GET /healthz on port 7070', () => {
    const [binding] = service.Properties.LoadBalancers as { ContainerName: string; ContainerPort: number; TargetGroupArn: { Ref: string } }[];
    expect(binding).toMatchObject({ ContainerName: 'scheduler', ContainerPort: 7070 });
    expect(schedulerContainer.PortMappings).toEqual([{ ContainerPort: 7070, Protocol: 'tcp' }]);
    const targetGroup = resource(binding!.TargetGroupArn.Ref);
    expect(targetGroup.Properties).toMatchObject({ HealthCheckPath: '/healthz', Port: 7070, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: binding!.TargetGroupArn.Ref } }] });
  });
});

describe('every service', () => {
  const containers = Object.values(resources('AWS::ECS::TaskDefinition')).flatMap((task) => task.Properties.ContainerDefinitions as Record<string, any>[]);

  it('is the scheduler, a cpu worker or a gpu worker', () => {
    expect(containers.map((c) => c.Command.join(' ')).sort()).toEqual(['scheduler', 'worker --pool cpu --work-dir /work', 'worker --pool gpu --work-dir /work']);
  });

  it('logs to a CloudWatch log group of its own', () => {
    const groups = containers.map((c) => {
      expect(c.LogConfiguration.LogDriver).toBe('awslogs');
      return c.LogConfiguration.Options['awslogs-group'].Ref as string;
    });
    expect(new Set(groups).size).toBe(containers.length);
    for (const group of groups) expect(resource(group).Type).toBe('AWS::Logs::LogGroup');
  });

  it('gives its container at least 120 s between SIGTERM and SIGKILL', () => {
    for (const c of containers) expect(c.StopTimeout).toBeGreaterThanOrEqual(120);
  });

  it("reaches the fleet's Redis over TLS with the fleet's prefix", () => {
    const [groupId] = Object.keys(resources('AWS::ElastiCache::ReplicationGroup'));
    const endpoint = (attribute: string) => ({ 'Fn::GetAtt': [groupId, `PrimaryEndPoint.${attribute}`] });
    for (const c of containers) {
      expect(env(c).REDIS_URL).toEqual({ 'Fn::Join': ['', ['rediss://', endpoint('Address'), ':', endpoint('Port')]] });
      expect(env(c).BLAZEFLEET_PREFIX).toBe(CONTEXT_DEFAULTS.prefix);
    }
  });
});

describe('Redis', () => {
  const groups = Object.values(resources('AWS::ElastiCache::ReplicationGroup'));
  const group = groups[0];

  it('is one encrypted ElastiCache replication group in the private subnets that never evicts keys', () => {
    expect(groups).toHaveLength(1);
    expect(group!.Properties).toMatchObject({ Engine: 'redis', AtRestEncryptionEnabled: true, TransitEncryptionEnabled: true });
    const subnetIds = resource(group!.Properties.CacheSubnetGroupName.Ref).Properties.SubnetIds as { Ref: string }[];
    expect(subnetIds.length).toBeGreaterThan(0);
    for (const subnet of subnetIds) expect(resource(subnet.Ref).Properties.MapPublicIpOnLaunch).toBe(false);
    expect(resource(group!.Properties.CacheParameterGroupName.Ref).Properties.Properties).toEqual({ 'maxmemory-policy': 'noeviction' });
  });

  it("lets in the services' security groups only", () => {
    const securityGroupId = refId(group!.Properties.SecurityGroupIds[0]);
    expect(resource(securityGroupId).Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(resources('AWS::EC2::SecurityGroupIngress')).filter((rule) => refId(rule.Properties.GroupId) === securityGroupId);
    const serviceGroups = Object.values(resources('AWS::ECS::Service')).map((service) => refId(service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[0]));
    expect(ingress.map((rule) => refId(rule.Properties.SourceSecurityGroupId)).sort()).toEqual(serviceGroups.sort());
    for (const rule of ingress) expect(rule.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379 });
  });
});

describe('the artifact bucket', () => {
  it('blocks public access and encrypts its objects', () => {
    const buckets = Object.values(resources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(1);
    expect(buckets[0]!.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(buckets[0]!.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBeDefined();
  });

  it('is the only S3 resource any IAM policy of the stack names', () => {
    const [bucketId] = Object.keys(resources('AWS::S3::Bucket'));
    const s3Statements = Object.values(resources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));
    expect(s3Statements.length).toBeGreaterThan(0);
    for (const statement of s3Statements) {
      for (const named of [statement.Resource].flat()) expect(JSON.stringify(named)).toContain(`"${bucketId}"`);
    }
  });
});
