/**
 * Template assertions for the Kafka ESM controls KafkaConsumerFunction sets: partial batch responses and
 * EventCount metrics on every mapping, and the consumer told whether its mappings honour batchItemFailures.
 * One synth per ESM mode (no bundling).
 */
import { REPORT_BATCH_ITEM_FAILURES_ENV } from '#shared/consumer/batch-response';
import { consumerBindings } from '#shared/topology';
import { resourcesOf, synthesize } from '#test/support/cdk-app';

type Json = Record<string, any>;

function consumerView(context: Record<string, unknown>) {
  const services = synthesize(context).templates.services;
  const mappings = resourcesOf(services, 'AWS::Lambda::EventSourceMapping').map(
    ([, m]) => m.Properties as Json,
  );
  const functions = Object.fromEntries(resourcesOf(services, 'AWS::Lambda::Function'));
  const envOf = (ref: string): Json => (functions[ref] as Json).Properties.Environment.Variables;
  return { mappings, envOf };
}

describe('KafkaConsumerFunction in provisioned mode (the default)', () => {
  const { mappings, envOf } = consumerView({});

  it('turns on partial batch responses and EventCount metrics on every mapping', () => {
    expect(mappings).toHaveLength(consumerBindings().length);
    for (const m of mappings) {
      expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(m.MetricsConfig).toEqual({ Metrics: ['EventCount'] });
      // the on-failure destination stays set, so infinite retries could never apply (Lambda caps them at 10)
      expect(m.DestinationConfig).toEqual({ OnFailure: { Destination: 'kafka://dead-letters' } });
      expect(m.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
    }
  });

  it('tells each consumer that its mappings honour batchItemFailures', () => {
    for (const ref of new Set(mappings.map((m) => m.FunctionName.Ref as string))) {
      expect(envOf(ref)[REPORT_BATCH_ITEM_FAILURES_ENV]).toBe('true');
    }
  });
});

describe('KafkaConsumerFunction in on-demand mode', () => {
  const { mappings, envOf } = consumerView({ esmMode: 'on-demand' });

  it('keeps EventCount metrics but sets no partial batch responses, and tells the consumer so', () => {
    for (const m of mappings) {
      expect(m.FunctionResponseTypes).toBeUndefined();
      expect(m.MetricsConfig).toEqual({ Metrics: ['EventCount'] });
      expect(envOf(m.FunctionName.Ref)[REPORT_BATCH_ITEM_FAILURES_ENV]).toBe('false');
    }
  });
});
