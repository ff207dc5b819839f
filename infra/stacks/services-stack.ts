import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CONSUMERS, type Names, OTHER_FUNCTIONS } from '../catalogue';
import type { CampusgConfig } from '../config';
import { CampusgFunction, type FunctionContext } from '../constructs/campusg-function';
import type { KafkaClusterRef } from '../constructs/kafka-access';
import { KafkaConsumerFunction } from '../constructs/kafka-consumer-function';
import { LogShipping } from '../constructs/log-shipping';
import type { CampusgNetwork } from '../constructs/network';
import { OrderApi } from '../constructs/order-api';
import type { ServiceTables } from '../constructs/service-tables';
import { TimerScheduler } from '../constructs/timer-scheduler';
import { pinExports } from './exports';
import { removalPolicyOf } from './removal';

export interface ServicesStackProps extends StackProps {
  readonly config: CampusgConfig;
  readonly names: Names;
  readonly network: CampusgNetwork;
  readonly kafka: KafkaClusterRef;
  readonly tables: ServiceTables;
}

/**
 * The services: every Lambda function of docs/conventions.md, their event-source mappings, the timer's
 * schedule group, the HTTP API and the central log shipping.
 */
export class ServicesStack extends Stack {
  public readonly consumers: readonly KafkaConsumerFunction[];
  public readonly functions: readonly CampusgFunction[];
  public readonly api: OrderApi;
  public readonly timer: TimerScheduler;
  public readonly logShipping: LogShipping;
  /** Every event-source mapping with its id (for the dashboard). */
  public readonly mappings: readonly { label: string; mappingId: string }[];

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const { config, names, network } = props;
    const removalPolicy = removalPolicyOf(config);

    const context: FunctionContext = {
      names,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      securityGroup: network.functionSecurityGroup,
      kafka: props.kafka,
      tables: props.tables.tables,
      logRetentionDays: config.logRetentionDays,
      removalPolicy,
      logLevel: config.logLevel,
      memoryMb: config.functionMemoryMb,
    };

    // Events that asynchronous callers (Scheduler, CloudWatch Logs) could not deliver after Lambda's retries.
    const asyncDlq = new sqs.Queue(this, 'AsyncInvokeDlq', {
      queueName: `${names.prefix}-async-invoke-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(asyncDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the asynchronously invoked functions.',
    });
    Validations.of(asyncDlq).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This queue is itself the dead-letter queue of the asynchronously invoked functions.',
    });

    this.consumers = CONSUMERS.map(
      (spec) =>
        new KafkaConsumerFunction(this, spec.id, {
          spec,
          context,
          environment:
            spec.service === 'payment' ? { PAYMENT_LIMIT_CENTS: String(config.paymentLimitCents) } : {},
          mappings: {
            mode: config.esmMode,
            batchSize: config.batchSize,
            batchingWindowSeconds: config.batchingWindowSeconds,
            pollerGroupName: config.pollerGroupName,
            minimumPollers: config.minimumPollers,
            maximumPollers: config.maximumPollers,
            retryAttempts: config.retryAttempts,
          },
        }),
    );
    const orderApiFunction = new CampusgFunction(this, OTHER_FUNCTIONS.orderApi.id, {
      spec: OTHER_FUNCTIONS.orderApi,
      context,
    });
    const notificationApiFunction = new CampusgFunction(this, OTHER_FUNCTIONS.notificationApi.id, {
      spec: OTHER_FUNCTIONS.notificationApi,
      context,
    });
    const fireFunction = new CampusgFunction(this, OTHER_FUNCTIONS.timerFire.id, {
      spec: OTHER_FUNCTIONS.timerFire,
      context,
      deadLetterQueue: asyncDlq,
    });
    const shipper = new CampusgFunction(this, OTHER_FUNCTIONS.logShipper.id, {
      spec: OTHER_FUNCTIONS.logShipper,
      context,
      deadLetterQueue: asyncDlq,
    });
    this.functions = [...this.consumers, orderApiFunction, notificationApiFunction, fireFunction, shipper];

    const timerConsumer = this.consumers.find((c) => c.spec.service === 'timer');
    if (!timerConsumer) throw new Error('the topology has no timer consumer; the timer needs one');
    this.timer = new TimerScheduler(this, 'Timer', {
      scheduleGroupName: names.scheduleGroupName,
      fireFunction,
      timerConsumer,
      orderAcceptTimeoutSeconds: config.orderAcceptTimeoutSeconds,
    });

    this.api = new OrderApi(this, 'Api', {
      namePrefix: names.prefix,
      orderFunction: orderApiFunction,
      notificationFunction: notificationApiFunction,
      jwtIssuer: config.jwtIssuer,
      jwtAudience: config.jwtAudience,
      rolesClaim: config.jwtRolesClaim,
      selfSignUp: config.selfSignUp,
      callbackUrls: config.authCallbackUrls,
      logoutUrls: config.authLogoutUrls,
      corsOrigins: config.corsOrigins,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      logRetention: config.logRetentionDays,
      removalPolicy,
    });

    const shipped = this.functions.filter((f) => f !== shipper && f.spec.service !== 'log-sink');
    this.logShipping = new LogShipping(this, 'LogShipping', {
      shipper,
      logGroups: Object.fromEntries(shipped.map((f) => [f.spec.id, f.logGroup])),
    });

    this.mappings = this.consumers.flatMap((c) =>
      c.bindings.map((b) => ({
        label: `${c.spec.service} <- ${b.topic}`,
        mappingId: b.eventSource.eventSourceMappingId,
      })),
    );
    // Pinned: the observability stack imports these (stacks/exports.ts).
    pinExports(this, config, [this.api.httpApi.apiId, ...this.mappings.map((m) => m.mappingId)]);
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'JwtIssuer', { value: this.api.issuer });
    if (this.api.userPool && this.api.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.api.userPoolClient.userPoolClientId });
    }
    new CfnOutput(this, 'ScheduleGroupName', { value: names.scheduleGroupName });
    new CfnOutput(this, 'AsyncInvokeDlqUrl', { value: asyncDlq.queueUrl });
    new CfnOutput(this, 'ApiAccessLogGroupName', { value: this.api.accessLogGroup.logGroupName });
    for (const fn of this.functions) {
      new CfnOutput(this, `${fn.spec.id}LogGroupName`, { value: fn.logGroup.logGroupName });
    }
  }
}
