/**
 * The house defaults for every CampusG Lambda function, in one place: Node.js 22 on arm64, esbuild-minified
 * self-contained bundle (AWS SDK included) with source maps, Powertools environment, an explicit log group with
 * retention, X-Ray tracing, placement in the private subnets, and IAM for its tables and Kafka topics.
 */
import * as path from 'node:path';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionSpec, TableKey, TableSpec } from '../catalogue';
import { grantKafkaAccess, type KafkaClusterRef } from './kafka-access';

/** Project root: entries in the catalogue are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Where the stand-ins for optional peers that CampusG never loads live (see OPTIONAL_PEERS). */
const OPTIONAL_PEER_STUBS = 'infra/checks/optional-peers';

/**
 * Optional peers of Powertools' Kafka consumer, imported lazily for Avro/Protobuf schemas only. CampusG
 * values are JSON, so they are never loaded; each is aliased to a module that throws an error naming it, so
 * no bundle keeps a dangling `require` that would only fail on first use.
 */
export const OPTIONAL_PEERS = ['avro-js', 'protobufjs'] as const;

/**
 * How every function of the project is bundled (services and custom-resource handlers alike): one
 * self-contained file. Everything is bundled, the AWS SDK included: the SDK that the Lambda runtime ships is
 * not a contract (it lacks packages such as `@aws-sdk/util-utf8-browser` that aws-msk-iam-sasl-signer-js
 * still requires, and its version moves under the function), so the only `require`s left in a bundle are
 * Node.js built-ins. `test/infra/campusg-app.bundles.test.ts` and `campusg preflight` check exactly that.
 */
export const HOUSE_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  logLevel: LogLevel.ERROR,
  target: 'node22',
  format: OutputFormat.CJS,
  // Nothing external (the NodejsFunction default would leave `@aws-sdk/*` to the runtime).
  externalModules: [],
  // Relative to the project root, where esbuild runs (locally and in the bundling container alike).
  esbuildArgs: {
    '--alias': OPTIONAL_PEERS.map((name) => `${name}=./${OPTIONAL_PEER_STUBS}/${name}.cjs`),
  },
  // Prefer ES module entry points so esbuild can tree-shake (Powertools, zod, the AWS SDK).
  mainFields: ['module', 'main'],
};

/** Everything a function needs from the rest of the app. */
export interface FunctionContext {
  /** `campusg-<stage>`-style physical names. */
  readonly names: { functionName(id: string): string; logGroupName(id: string): string };
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Security group of every function (egress to the brokers and the VPC endpoints). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The MSK cluster; publishers and consumers get `MSK_CLUSTER_ARN`. */
  readonly kafka: KafkaClusterRef;
  readonly tables: Readonly<Record<TableKey, { table: dynamodb.ITable; spec: TableSpec; name: string }>>;
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  readonly logLevel: string;
  readonly memoryMb: number;
}

export interface CampusgFunctionProps {
  /** The catalogue entry (entry file, service, topics, tables). */
  readonly spec: FunctionSpec;
  readonly context: FunctionContext;
  /** Extra environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Dead-letter queue for asynchronous invocations. @default none (synchronous callers) */
  readonly deadLetterQueue?: sqs.IQueue;
  /** Consumer groups this function's mappings use (consumers only). @default none */
  readonly consumerGroups?: readonly string[];
}

/**
 * A CampusG Lambda function with the house defaults. Stacks pass the catalogue id as the construct id; the
 * CloudFormation logical id is the catalogue id whatever the construct id (the local runtime and operators
 * find functions by it).
 */
export class CampusgFunction extends NodejsFunction {
  public readonly spec: FunctionSpec;
  /** The function's name, known at synth time (`campusg-<stage>-...`). */
  public readonly knownName: string;

  constructor(scope: Construct, id: string, props: CampusgFunctionProps) {
    const { spec, context } = props;
    // A sibling of the function (not its child), so its logical id stays `<id>LogGroup<hash>`.
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      logGroupName: context.names.logGroupName(spec.id),
      retention: context.logRetentionDays as logs.RetentionDays,
      removalPolicy: context.removalPolicy,
    });
    const usesKafka = spec.publishes.length + spec.consumes.length > 0;
    const environment: Record<string, string> = {
      CAMPUSG_SERVICE: spec.service,
      POWERTOOLS_SERVICE_NAME: spec.service,
      POWERTOOLS_LOG_LEVEL: context.logLevel,
      POWERTOOLS_METRICS_NAMESPACE: 'CampusG',
      // Stack traces point into the TypeScript sources through the bundle's source map.
      NODE_OPTIONS: '--enable-source-maps',
      ...(usesKafka
        ? { MSK_CLUSTER_ARN: context.kafka.clusterArn, KAFKA_AUTH: 'iam', KAFKA_TLS: 'true' }
        : {}),
      ...(spec.consumes.length > 0 ? { DEAD_LETTER_TOPIC: 'dead-letters' } : {}),
      ...Object.fromEntries(
        (Object.keys(spec.tables) as TableKey[]).map((k) => [
          context.tables[k].spec.envVar,
          context.tables[k].name,
        ]),
      ),
      ...props.environment,
    };

    super(scope, id, {
      functionName: context.names.functionName(spec.id),
      description: spec.description,
      entry: path.join(PROJECT_ROOT, spec.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: context.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      environment,
      vpc: context.vpc,
      vpcSubnets: context.subnets,
      securityGroups: [context.securityGroup],
      deadLetterQueue: props.deadLetterQueue,
      bundling: HOUSE_BUNDLING,
    });
    this.spec = spec;
    this.knownName = context.names.functionName(spec.id);
    // The logical id is the catalogue id, so the local runtime and operators find functions by name.
    (this.node.defaultChild as lambda.CfnFunction).overrideLogicalId(spec.id);

    for (const key of Object.keys(spec.tables) as TableKey[]) {
      const { table } = context.tables[key];
      if (spec.tables[key] === 'read') table.grantReadData(this);
      else table.grantReadWriteData(this);
    }
    grantKafkaAccess(this, context.kafka, {
      consumes: spec.consumes,
      groups: props.consumerGroups ?? [],
      publishes: spec.publishes,
    });

    acknowledgeHouseDefaults(this, Boolean(props.deadLetterQueue));
  }
}

/** Findings every CampusG function shares by design, acknowledged once with the reason. */
function acknowledgeHouseDefaults(fn: CampusgFunction, hasDlq: boolean): void {
  const v = Validations.of(fn);
  v.acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWS-maintained minimal policy for writing the function logs; the log group itself is created by the stack.',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason:
        'AWS-maintained policy for the ENIs of a VPC function; ENI actions cannot be scoped to resource ARNs known at deploy time.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (Resource must be *).',
    },
    {
      id: 'Serverless-LambdaStarPermissions',
      reason:
        'The only wildcard is the X-Ray tracing statement, whose actions support no resource-level permissions.',
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project targets (the local runtime runs the same bundles); upgrade together.',
    },
    {
      id: 'Serverless-LambdaLatestVersion',
      reason:
        'Node.js 22 is the runtime the project targets (the local runtime runs the same bundles); upgrade together.',
    },
  );
  if (!hasDlq) {
    v.acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously (MSK event-source mapping or API Gateway): a Lambda DLQ only applies to asynchronous invocations; failed records go to the dead-letter topic instead.',
    });
  }
}
