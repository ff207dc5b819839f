/**
 * Template test of KafkaConsumerFunction alone, on a bare stack: one MSK event-source mapping per consumed
 * topic with its own consumer group, the provisioned-mode controls (pollers, retries, bisect, Kafka
 * on-failure destination, partial batch responses) or their absence on demand, the environment that tells
 * the handler which, IAM for exactly its topics and groups, and the synth-time validation of the spec.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { FunctionSpec } from '#infra/catalogue';
import type { EsmMode } from '#infra/config';
import {
  type ConsumerMappingOptions,
  KafkaConsumerFunction,
} from '#infra/constructs/kafka-consumer-function';
import { REPORT_BATCH_ITEM_FAILURES_ENV } from '#shared/consumer/batch-response';
import { bareStack, FIXTURE_CLUSTER_ARN, functionContext } from '#test/support/cdk-stack';

const PAYMENT: FunctionSpec = {
  id: 'PaymentConsumer',
  entry: 'functions/payment/consumer.ts',
  service: 'payment',
  description: 'payment consumer',
  consumes: ['order-events', 'escrow-events'],
  publishes: ['payment-events', 'dead-letters'],
  tables: { payments: 'readWrite' },
  timeoutSeconds: 60,
};

function mappings(mode: EsmMode): ConsumerMappingOptions {
  return {
    mode,
    batchSize: 25,
    batchingWindowSeconds: 1,
    pollerGroupName: 'fixture-pollers',
    minimumPollers: 1,
    maximumPollers: 3,
    retryAttempts: 4,
  };
}

function synth(spec: FunctionSpec, mode: EsmMode) {
  const stack = bareStack();
  const fn = new KafkaConsumerFunction(stack, 'Payment', {
    spec,
    context: functionContext(stack),
    mappings: mappings(mode),
    environment: { PAYMENT_LIMIT_CENTS: '5000' },
  });
  return { fn, t: Template.fromStack(stack) };
}

describe('KafkaConsumerFunction in provisioned mode', () => {
  const { fn, t } = synth(PAYMENT, 'provisioned');

  it('maps each consumed topic with its own group and every provisioned-mode control', () => {
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    for (const topic of ['order-events', 'escrow-events']) {
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: FIXTURE_CLUSTER_ARN,
        FunctionName: { Ref: 'PaymentConsumer' },
        Topics: [topic],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: `campusg-payment-${topic}` },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 25,
        MaximumBatchingWindowInSeconds: 1,
        MetricsConfig: { Metrics: ['EventCount'] },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3, PollerGroupName: 'fixture-pollers' },
        MaximumRetryAttempts: 4,
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: 'kafka://dead-letters' } },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
    expect(fn.bindings.map((b) => [b.topic, b.groupId])).toEqual([
      ['order-events', 'campusg-payment-order-events'],
      ['escrow-events', 'campusg-payment-escrow-events'],
    ]);
  });

  it('tells the handler that its mappings honour batchItemFailures, next to the extra environment', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [REPORT_BATCH_ITEM_FAILURES_ENV]: 'true',
          DEAD_LETTER_TOPIC: 'dead-letters',
          PAYMENT_LIMIT_CENTS: '5000',
        }),
      },
    });
  });

  it('may read its topics and commit in exactly its groups', () => {
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Record<string, any>[],
    );
    const bySid = (sid: string) => JSON.stringify(statements.find((s) => s.Sid === sid)?.Resource);
    expect(bySid('KafkaConsumeTopics')).toMatch(/order-events.*escrow-events/);
    expect(bySid('KafkaConsumerGroups')).toMatch(
      /campusg-payment-order-events.*campusg-payment-escrow-events/,
    );
    expect(bySid('KafkaPublishTopics')).toMatch(/payment-events.*dead-letters/);
  });
});

describe('KafkaConsumerFunction in on-demand mode', () => {
  const { t } = synth(PAYMENT, 'on-demand');

  it('keeps EventCount metrics and sets none of the provisioned-mode controls', () => {
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    t.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
      MetricsConfig: { Metrics: ['EventCount'] },
      ProvisionedPollerConfig: Match.absent(),
      DestinationConfig: Match.absent(),
      FunctionResponseTypes: Match.absent(),
      BisectBatchOnFunctionError: Match.absent(),
    });
  });

  it('tells the handler that its mappings ignore batchItemFailures', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [REPORT_BATCH_ITEM_FAILURES_ENV]: 'false' }) },
    });
  });
});

describe('KafkaConsumerFunction validation', () => {
  it('lists every problem of a spec in one error', () => {
    const bad: FunctionSpec = { ...PAYMENT, consumes: ['dead-letters'], publishes: ['payment-events'] };
    expect(() => synth(bad, 'provisioned')).toThrow(
      'invalid KafkaConsumerFunction:\n' +
        '  - PaymentConsumer consumes dead-letters, which would dead-letter into itself\n' +
        "  - PaymentConsumer must publish to dead-letters (its records' on-failure destination)",
    );
  });

  it('refuses a spec that consumes nothing', () => {
    expect(() => synth({ ...PAYMENT, consumes: [] }, 'provisioned')).toThrow(
      'PaymentConsumer consumes no topic; use CampusgFunction',
    );
  });
});
