/**
 * The topics of the topology, dead-letter topic included.
 *
 * Provisioned mode: one `AWS::MSK::Topic` per topic. `Configs` is the topic configuration as a JSON object
 * (string values), Base64-encoded, e.g. `{"retention.ms":"604800000","min.insync.replicas":"2"}`.
 *
 * Serverless mode: `AWS::MSK::Topic` does not apply, so a custom resource (a small Lambda in the VPC using
 * the kafkajs admin client with MSK IAM auth) creates missing topics, raises partition counts and changes
 * differing settings incrementally, never the creation-only `cleanup.policy` of an existing topic. It is
 * idempotent, never deletes a topic (on stack update or deletion the data stays), and has a 6-minute
 * ServiceTimeout instead of CloudFormation's hour.
 */
import * as path from 'node:path';
import { CustomResource, Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import { TOPICS, type TopicSpec } from '#shared/topology';
import type { ClusterMode } from '../config';
import { HOUSE_BUNDLING, PROJECT_ROOT } from './campusg-function';
import { mskArnPrefix } from './kafka-access';

export interface KafkaTopicsProps {
  readonly mode: ClusterMode;
  readonly clusterArn: string;
  /** Topics to create. @default every topic of shared/topology.ts */
  readonly topics?: readonly TopicSpec[];
  /** Provisioned mode: replication factor and min.insync.replicas of every topic. */
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  /** Serverless mode: where the topic custom resource runs. */
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The topic configuration both modes apply. */
export function topicConfigs(t: TopicSpec, minInsyncReplicas?: number): Record<string, string> {
  return {
    'retention.ms': String(t.retentionMs),
    'cleanup.policy': 'delete',
    ...(minInsyncReplicas ? { 'min.insync.replicas': String(minInsyncReplicas) } : {}),
  };
}

export class KafkaTopics extends Construct {
  /** Provisioned mode: the `AWS::MSK::Topic` resources by topic name. */
  public readonly topicResources: ReadonlyMap<string, msk.CfnTopic>;

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const topics = props.topics ?? TOPICS;
    const resources = new Map<string, msk.CfnTopic>();
    this.topicResources = resources;

    if (props.mode === 'provisioned') {
      for (const t of topics) {
        const configs = topicConfigs(t, props.minInsyncReplicas);
        const resource = new msk.CfnTopic(this, pascal(t.name), {
          clusterArn: props.clusterArn,
          topicName: t.name,
          partitionCount: t.partitions,
          replicationFactor: props.replicationFactor,
          configs: Buffer.from(JSON.stringify(configs)).toString('base64'),
        });
        resource.overrideLogicalId(`${pascal(t.name)}Topic`);
        resources.set(t.name, resource);
      }
      return;
    }

    const logGroup = new logs.LogGroup(this, 'TopicAdminLogGroup', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const handler = new NodejsFunction(this, 'TopicAdminFunction', {
      description: 'Creates the CampusG topics on the MSK Serverless cluster (never deletes them)',
      entry: path.join(__dirname, '..', 'custom-resources', 'serverless-topics.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(5),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      bundling: HOUSE_BUNDLING,
    });
    handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['kafka:DescribeClusterV2'],
        resources: [props.clusterArn],
      }),
    );
    // GetBootstrapBrokers supports no resource-level permissions: a grant on the cluster ARN is ignored.
    handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['kafka:GetBootstrapBrokers'],
        resources: ['*'],
      }),
    );
    handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [props.clusterArn],
      }),
    );
    const topicArnPrefix = mskArnPrefix(props.clusterArn, 'topic');
    handler.addToRolePolicy(
      new PolicyStatement({
        // No DeleteTopic: stack updates and deletions never destroy data.
        actions: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        resources: topics.map((t) => `${topicArnPrefix}${t.name}`),
      }),
    );

    new CustomResource(this, 'Topics', {
      serviceToken: handler.functionArn,
      // CloudFormation's default is an hour; the handler answers within its 5-minute timeout, so a handler
      // that dies without answering holds the stack for 6 minutes at most.
      serviceTimeout: Duration.minutes(6),
      resourceType: 'Custom::CampusgKafkaTopics',
      properties: {
        ClusterArn: props.clusterArn,
        Topics: topics.map((t) => ({ Name: t.name, Partitions: t.partitions, Configs: topicConfigs(t) })),
      },
    });

    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'AWS-maintained minimal policy for writing the function logs.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'AWS-maintained policy for the ENIs of a VPC function; ENI actions have no resource-level scoping.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords and kafka:GetBootstrapBrokers support no resource-level permissions.',
      },
      {
        id: 'Serverless-LambdaStarPermissions',
        reason:
          'The only wildcards are the X-Ray tracing and GetBootstrapBrokers statements, whose actions support no resource-level permissions.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime the project targets; upgrade with the services.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason: 'Node.js 22 is the runtime the project targets; upgrade with the services.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'CloudFormation custom resource provider: CloudFormation itself reports and retries failures; a DLQ would hold nothing actionable.',
      },
    );
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
