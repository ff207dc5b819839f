import type { AnyEvent } from '../contracts';
import { errorMessage, isPermanent, RejectedRecordError, TransitionError } from '../errors';
import { type DecodedRecord, decodeMskEvent, type EventPublisher, type MSKEvent } from '../kafka';
import { forOrder, type Logger, resetOrder } from '../logging';
import { optionalEnv } from '../runtime/env';
import type { TopicName } from '../topology';
import { type DeadLetterReason, deadLetterFor } from './dead-letter';
import { type ConsumerMetrics, noMetrics } from './metrics';

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
}

/**
 * Processes an MSK batch record by record, in delivery order:
 * - a valid event goes to `handle`;
 * - a record that can never succeed (not JSON, schema violation, unknown type, a transition the state machine
 *   forbids, a rejected event) is published to the dead-letter topic with its reason and origin, and the batch
 *   goes on;
 * - any other error (DynamoDB, the broker, a dependency) is transient: it is thrown, the invocation fails and
 *   the event-source mapping redelivers the batch. Records already handled are handled again idempotently.
 */
export async function processBatch(
  event: MSKEvent,
  deps: ConsumerDeps,
  handle: RecordHandler,
): Promise<BatchSummary> {
  const records = await decodeMskEvent(event);
  const metrics = deps.metrics ?? noMetrics;
  const summary: BatchSummary = { records: records.length, handled: 0, deadLettered: [] };
  for (const record of records) {
    const origin = { topic: record.topic, partition: record.partition, offset: record.offset };
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
          if (!isPermanent(error)) {
            deps.logger.error('transient failure; failing the batch for a retry', {
              ...origin,
              error: error as Error,
            });
            throw error;
          }
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
    } finally {
      resetOrder(deps.logger);
    }
  }
  deps.logger.debug('batch processed', {
    records: summary.records,
    handled: summary.handled,
    deadLettered: summary.deadLettered.length,
  });
  return summary;
}

/** For handlers: an event that this consumer can never act on. */
export function reject(message: string): never {
  throw new RejectedRecordError(message);
}
