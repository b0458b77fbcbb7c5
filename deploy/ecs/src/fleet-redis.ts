import { aws_ec2 as ec2, aws_elasticache as elasticache } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface FleetRedisProps {
  vpc: ec2.IVpc;
  nodeType: string;
}

const REDIS_PORT = 6379;

/**
 * The fleet's Redis (queues, job records, tuning state): an ElastiCache replication group of one node in the private
 * subnets, encrypted at rest and in transit, with `noeviction` as BullMQ requires. Its security group admits nobody
 * until `allowFrom` lets a service in.
 */
export class FleetRedis extends Construct {
  /** REDIS_URL of the scheduler and the workers (TLS). */
  readonly url: string;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: FleetRedisProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Blazefleet Redis: the scheduler and the workers only',
      allowAllOutbound: false,
    });
    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'Private subnets of the Blazefleet Redis',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
    });
    const parameters = new elasticache.CfnParameterGroup(this, 'Parameters', {
      description: 'Blazefleet Redis: BullMQ loses jobs if Redis evicts keys',
      cacheParameterGroupFamily: 'redis7',
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    const group = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'Blazefleet queues, training and tuning job records',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: props.nodeType,
      numCacheClusters: 1,
      automaticFailoverEnabled: false,
      port: REDIS_PORT,
      cacheSubnetGroupName: subnets.ref,
      cacheParameterGroupName: parameters.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
    });
    this.url = `rediss://${group.attrPrimaryEndPointAddress}:${group.attrPrimaryEndPointPort}`;
  }

  /** Lets the tasks of `service` (their security groups) connect. */
  allowFrom(service: ec2.IConnectable): void {
    this.securityGroup.connections.allowFrom(service, ec2.Port.tcp(REDIS_PORT), 'Blazefleet service to Redis');
  }
}
