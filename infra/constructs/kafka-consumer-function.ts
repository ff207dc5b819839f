/**
 * A service's Kafka consumer: a CampusG function plus one MSK event-source mapping per topic the topology
 * says it consumes, each with its own stable consumer group, and IAM for exactly those topics and groups.
 * Every mapping publishes Lambda's EventCount metrics; in provisioned mode it also has bounded retries,
 * bisect, the Kafka on-failure destination and partial batch responses (ReportBatchItemFailures), and the
 * function is told so through `ESM_REPORT_BATCH_ITEM_FAILURES` (a consumer must not answer with
 * batchItemFailures to a mapping that would ignore them: Lambda would count the batch as processed).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { MetricType, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KafkaDlq, ManagedKafkaEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { REPORT_BATCH_ITEM_FAILURES_ENV } from '#shared/consumer/batch-response';
import { consumerGroupId, DEAD_LETTER_TOPIC, type TopicName } from '#shared/topology';
import type { FunctionSpec } from '../catalogue';
import type { EsmMode } from '../config';
import { CampusgFunction, type FunctionContext } from './campusg-function';

export interface ConsumerMappingOptions {
  /** `provisioned` (poller group, bounded retries, bisect, Kafka on-failure destination) or `on-demand`. */
  readonly mode: EsmMode;
  /** Records per invocation. */
  readonly batchSize: number;
  /** Maximum batching window in seconds; 0 for the lowest latency. */
  readonly batchingWindowSeconds: number;
  /** Provisioned mode: the poller group every mapping shares. */
  readonly pollerGroupName: string;
  /** Provisioned mode: pollers per mapping. */
  readonly minimumPollers: number;
  readonly maximumPollers: number;
  /** Provisioned mode: retries of a failing batch before it goes to the dead-letter topic. */
  readonly retryAttempts: number;
}

export interface KafkaConsumerFunctionProps {
  /** A catalogue entry with at least one consumed topic. */
  readonly spec: FunctionSpec;
  readonly context: FunctionContext;
  readonly mappings: ConsumerMappingOptions;
  /** Extra environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
}

/** One consumed topic's mapping, as created. */
export interface ConsumerBinding {
  readonly topic: TopicName;
  readonly groupId: string;
  readonly eventSource: ManagedKafkaEventSource;
}

export class KafkaConsumerFunction extends CampusgFunction {
  public readonly bindings: readonly ConsumerBinding[];

  constructor(scope: Construct, id: string, props: KafkaConsumerFunctionProps) {
    const { spec, mappings } = props;
    const problems: string[] = [];
    if (spec.consumes.length === 0) problems.push(`${spec.id} consumes no topic; use CampusgFunction`);
    if (spec.consumes.includes(DEAD_LETTER_TOPIC)) {
      problems.push(`${spec.id} consumes ${DEAD_LETTER_TOPIC}, which would dead-letter into itself`);
    }
    if (!spec.publishes.includes(DEAD_LETTER_TOPIC)) {
      problems.push(`${spec.id} must publish to ${DEAD_LETTER_TOPIC} (its records' on-failure destination)`);
    }
    if (problems.length > 0)
      throw new Error(`invalid KafkaConsumerFunction:\n  - ${problems.join('\n  - ')}`);

    const groups = spec.consumes.map((t) => consumerGroupId(spec.service, t));
    const provisioned = mappings.mode === 'provisioned';
    super(scope, id, {
      spec,
      context: props.context,
      environment: {
        [REPORT_BATCH_ITEM_FAILURES_ENV]: provisioned ? 'true' : 'false',
        ...props.environment,
      },
      consumerGroups: groups,
    });

    this.bindings = spec.consumes.map((topic) => {
      const groupId = consumerGroupId(spec.service, topic);
      const eventSource = new ManagedKafkaEventSource({
        clusterArn: props.context.kafka.clusterArn,
        topic,
        consumerGroupId: groupId,
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: mappings.batchSize,
        maxBatchingWindow: Duration.seconds(mappings.batchingWindowSeconds),
        // Lambda's EventCount metrics (polled, filtered out, invoked, failed, dropped, sent on failure).
        metricsConfig: { metrics: [MetricType.EVENT_COUNT] },
        ...(provisioned
          ? {
              provisionedPollerConfig: {
                minimumPollers: mappings.minimumPollers,
                maximumPollers: mappings.maximumPollers,
                pollerGroupName: mappings.pollerGroupName,
              },
              retryAttempts: mappings.retryAttempts,
              bisectBatchOnError: true,
              onFailure: new KafkaDlq(DEAD_LETTER_TOPIC),
              // Consumers report the first failed record of a partition instead of failing the whole batch.
              reportBatchItemFailures: true,
            }
          : {}),
      });
      this.addEventSource(eventSource);
      return { topic, groupId, eventSource };
    });

    const v = Validations.of(this);
    v.acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]',
      reason:
        'Attached by ManagedKafkaEventSource: the ESM pollers need it to manage their ENIs in the cluster subnets; it grants no kafka-cluster data-plane action (those are scoped to exact topics and groups inline).',
    });
    if (!provisioned) {
      v.acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'esmMode=on-demand: Kafka on-failure destinations need provisioned mode; the handlers write unprocessable records to the dead-letter topic themselves.',
      });
    }
  }
}
