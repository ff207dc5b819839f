/**
 * `AWS::Lambda::EventSourceMapping` with `Topics` (an MSK mapping) -> a `LocalEventSourceMapping` the ESM
 * emulator runs: topic, consumer group, batching, retries, bisect, on-failure destination, filters, metrics.
 * Mappings without topics (not Kafka) are not run locally.
 */
import { LOCAL_ACCOUNT_ID, physicalName } from '../intrinsics';
import type { ResourceReader } from './types';
import { asNumber } from './values';

export const TYPE = 'AWS::Lambda::EventSourceMapping';

export const read: ResourceReader = ({ stack, logicalId, resource, resolver: r, at }, model) => {
  const p = r.resolve(resource.Properties ?? {}, at('Properties')) as Record<string, unknown>;
  const topicsProp = (p.Topics as string[] | undefined) ?? [];
  if (topicsProp.length === 0) return; // not a Kafka mapping
  const kafkaCfg = (p.AmazonManagedKafkaEventSourceConfig ??
    p.SelfManagedKafkaEventSourceConfig ??
    {}) as Record<string, unknown>;
  const destination = (p.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure
    ?.Destination;
  const fnRef = String(p.FunctionName);
  const functionArn = fnRef.startsWith('arn:')
    ? fnRef.split(':').slice(0, 7).join(':')
    : `arn:aws:lambda:${stack.region}:${LOCAL_ACCOUNT_ID}:function:${fnRef}`;
  model.eventSourceMappings.push({
    logicalId,
    functionArn,
    topic: topicsProp[0]!,
    consumerGroupId:
      typeof kafkaCfg.ConsumerGroupId === 'string'
        ? kafkaCfg.ConsumerGroupId
        : physicalName(stack.stackName, logicalId),
    batchSize: asNumber(p.BatchSize, 100),
    maximumBatchingWindowInSeconds: asNumber(p.MaximumBatchingWindowInSeconds, 0),
    startingPosition: p.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
    maximumRetryAttempts: asNumber(p.MaximumRetryAttempts, -1),
    bisectBatchOnFunctionError:
      p.BisectBatchOnFunctionError === true || p.BisectBatchOnFunctionError === 'true',
    onFailureDestination: typeof destination === 'string' ? destination : undefined,
    enabled: p.Enabled !== false && p.Enabled !== 'false',
    maximumRecordAgeInSeconds: asNumber(p.MaximumRecordAgeInSeconds, -1),
    functionResponseTypes: Array.isArray(p.FunctionResponseTypes)
      ? (p.FunctionResponseTypes as unknown[]).map(String)
      : [],
    filterPatterns: (
      ((p.FilterCriteria as { Filters?: { Pattern?: unknown }[] } | undefined)?.Filters ?? []) as {
        Pattern?: unknown;
      }[]
    )
      .map((f) => (typeof f.Pattern === 'string' ? f.Pattern : JSON.stringify(f.Pattern)))
      .filter((pattern) => pattern !== undefined),
    metrics: Array.isArray((p.MetricsConfig as { Metrics?: unknown } | undefined)?.Metrics)
      ? ((p.MetricsConfig as { Metrics: unknown[] }).Metrics.map(String) as string[])
      : [],
  });
};
