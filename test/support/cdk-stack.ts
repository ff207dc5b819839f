/**
 * A bare CDK stack for template tests of one construct (as aws-solutions-constructs tests do): no CampusG
 * app around it, bundling off (`aws:cdk:bundling-stacks` = []), and the smallest surroundings a construct
 * needs (a VPC with isolated subnets, a security group, the service tables, an MSK cluster reference), so a
 * test sees exactly the resources the construct itself adds.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { FunctionContext } from '#infra/constructs/campusg-function';
import { kafkaClusterRef } from '#infra/constructs/kafka-access';
import { ServiceTables } from '#infra/constructs/service-tables';

/** The cluster ARN every bare-stack fixture uses: cluster `fixture`, UUID `0000-uuid`. */
export const FIXTURE_CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/fixture/0000-uuid';

/** A stack in an app of its own, with a fixed account and region, that bundles no asset. */
export function bareStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Bare', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** A VPC of two zones with isolated subnets in the group `Private`, as CampusgNetwork makes them. */
export function fixtureVpc(stack: Stack, id = 'FixtureVpc'): ec2.Vpc {
  return new ec2.Vpc(stack, id, {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

/** What CampusgFunction and KafkaConsumerFunction need, built in `stack` under the `Fixture` prefix. */
export function functionContext(stack: Stack): FunctionContext {
  const vpc = fixtureVpc(stack);
  const securityGroup = new ec2.SecurityGroup(stack, 'FixtureSecurityGroup', { vpc });
  const tables = new ServiceTables(stack, 'FixtureTables', {
    tableName: (key) => `fixture-${key}`,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return {
    names: {
      functionName: (id) => `campusg-test-${id}`,
      logGroupName: (id) => `/aws/lambda/campusg-test-${id}`,
    },
    vpc,
    subnets: { subnetGroupName: 'Private' },
    securityGroup,
    kafka: kafkaClusterRef(FIXTURE_CLUSTER_ARN),
    tables: tables.tables,
    logRetentionDays: 14,
    removalPolicy: RemovalPolicy.DESTROY,
    logLevel: 'INFO',
    memoryMb: 512,
  };
}

/** A plain inline-code function to hand to constructs that take an existing function. */
export function plainFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  });
}
