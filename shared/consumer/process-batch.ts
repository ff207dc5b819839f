import type { AnyEvent } from '#shared/contracts';
import { optionalEnv } from '#shared/env';
import { errorMessage, isPermanent, RejectedRecordError, TransitionError } from '#shared/errors';
import { type DecodedRecord, decodeMskEvent, type EventPublisher, type MSKEvent } from '#shared/kafka';
import { forOrder, type Logger, resetOrder } from '#shared/logging';
import type { TopicName } from '#shared/topology';
import {
  type KafkaBatchItemFailure,
  type KafkaBatchResponse,
  REPORT_BATCH_ITEM_FAILURES_ENV,
} from './batch-response';
import { type DeadLetterReason, deadLetterFor } from './dead-letter';
import { type ConsumerMetrics, noMetrics } from './metrics';

export type { KafkaBatchItemFailure, KafkaBatchResponse };

/** Handles one valid event. Throws a permanent error (TransitionError, RejectedRecordError) to dead-letter it. */
export type RecordHandler = (event: AnyEvent, record: DecodedRecord) => Promise<void>;

export interface ConsumerDeps {
  /** The consuming service, recorded on dead letters. */
  readonly consumer: string;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  readonly metrics?: ConsumerMetrics;
  /** Dead-letter topic; DEAD_LETTER_TOPIC or `dead-letters`. */
  readonly deadLetterTopic?: TopicName;
  readonly now?: () => Date;
  /**
   * The handler returns `kafkaBatchResponse(summary)` to Lambda, so a transient failure can be answered
   * with a partial batch response instead of failing the whole batch. Honoured only where the mapping has
   * `ReportBatchItemFailures` (`ESM_REPORT_BATCH_ITEM_FAILURES=true`, set by the CDK app); elsewhere a
   * transient failure still fails the batch, because a mapping without it would count a partial answer as
   * success and never redeliver the failed records. Default false.
   */
  readonly partialBatchResponse?: boolean;
}

export interface BatchSummary {
  readonly records: number;
  handled: number;
  readonly deadLettered: {
    readonly offset: number;
    readonly topic: string;
    readonly partition: number;
    readonly reason: DeadLetterReason;
  }[];
  /** Records to redeliver (partial batch responses only): a transiently failed record and the rest of its partition. */
  readonly batchItemFailures: KafkaBatchItemFailure[];
}

/** The answer for Lambda: `{ batchItemFailures }` (empty when every record was handled or dead-lettered). */
export function kafkaBatchResponse(summary: BatchSummary): KafkaBatchResponse {
  return { batchItemFailures: summary.batchItemFailures };
}

/**
 * Processes an MSK batch record by record, in delivery order:
 * - a valid event goes to `handle`;
 * - a record that can never succeed (not JSON, schema violation, unknown type, a transition the state machine
 *   forbids, a rejected event) is published to the dead-letter topic with its reason and origin, and the batch
 *   goes on;
 * - any other error (DynamoDB, the broker, a dependency) is transient: it is thrown, the invocation fails and
 *   the event-source mapping redelivers the batch. Records already handled are handled again idempotently.
 *   With `partialBatchResponse` (and a mapping that honours it) the failed record and every later record of
 *   its partition are reported in `batchItemFailures` instead, and the other partitions go on: the mapping
 *   commits up to the failed offset and redelivers from there, sparing the records already handled.
 */
export async function processBatch(
  event: MSKEvent,
  deps: ConsumerDeps,
  handle: RecordHandler,
): Promise<BatchSummary> {
  const records = await decodeMskEvent(event);
  const metrics = deps.metrics ?? noMetrics;
  const summary: BatchSummary = {
    records: records.length,
    handled: 0,
    deadLettered: [],
    batchItemFailures: [],
  };
  const partial =
    deps.partialBatchResponse === true && optionalEnv(REPORT_BATCH_ITEM_FAILURES_ENV, 'false') === 'true';
  /** Partitions with a transiently failed record: their later records wait for the redelivery. */
  const failedPartitions = new Set<string>();
  for (const record of records) {
    const origin = { topic: record.topic, partition: record.partition, offset: record.offset };
    const partition = `${record.topic}-${record.partition}`;
    if (failedPartitions.has(partition)) {
      summary.batchItemFailures.push({ itemIdentifier: { partition, offset: record.offset } });
      continue;
    }
    const orderId = record.result.ok ? record.result.event.correlationId : (record.key ?? undefined);
    forOrder(deps.logger, orderId);
    try {
      let failure: { reason: DeadLetterReason; error: string } | undefined;
      if (!record.result.ok) {
        failure = { reason: record.result.error.reason, error: record.result.error.message };
      } else {
        try {
          await handle(record.result.event, record);
        } catch (error) {
          if (!isPermanent(error)) throw error;
          failure = {
            reason: error instanceof TransitionError ? 'IMPOSSIBLE_TRANSITION' : 'REJECTED',
            error: errorMessage(error),
          };
        }
      }
      if (failure) {
        const letter = deadLetterFor(record, deps.consumer, failure.reason, failure.error, deps.now);
        await deps.publisher.publish(
          deps.deadLetterTopic ?? (optionalEnv('DEAD_LETTER_TOPIC', 'dead-letters') as TopicName),
          letter,
          {
            key: letter.correlationId,
          },
        );
        metrics.deadLettered(failure.reason);
        summary.deadLettered.push({ ...origin, reason: failure.reason });
        deps.logger.warn('record dead-lettered', { ...origin, reason: failure.reason, error: failure.error });
      } else {
        summary.handled++;
      }
    } catch (error) {
      // transient (a permanent failure was dead-lettered above): redeliver this record and what follows it
      if (!partial) {
        deps.logger.error('transient failure; failing the batch for a retry', {
          ...origin,
          error: error as Error,
        });
        throw error;
      }
      deps.logger.error('transient failure; reporting the record and the rest of its partition for a retry', {
        ...origin,
        error: error as Error,
      });
      failedPartitions.add(partition);
      summary.batchItemFailures.push({ itemIdentifier: { partition, offset: record.offset } });
    } finally {
      resetOrder(deps.logger);
    }
  }
  deps.logger.debug('batch processed', {
    records: summary.records,
    handled: summary.handled,
    deadLettered: summary.deadLettered.length,
    batchItemFailures: summary.batchItemFailures.length,
  });
  return summary;
}

/** For handlers: an event that this consumer can never act on. */
export function reject(message: string): never {
  throw new RejectedRecordError(message);
}
