import { type EventDraft, eventId, type PayloadOf } from '#shared/contracts';
import type { DecodedRecord } from '#shared/kafka';

export type DeadLetterReason = PayloadOf<'DEAD_LETTER'>['reason'];

/**
 * The DEAD_LETTER event for a record a consumer can never process: the reason, the error, the consumer, the
 * origin (topic, partition, offset) and the key and value exactly as received. Its id is a function of the
 * consumer and the origin, so dead-lettering the same record twice yields the same event.
 */
export function deadLetterFor(
  record: DecodedRecord,
  consumer: string,
  reason: DeadLetterReason,
  error: string,
  now: () => Date = () => new Date(),
): EventDraft<'DEAD_LETTER'> {
  const correlationId =
    (record.result.ok ? record.result.event.correlationId : undefined) ||
    record.key ||
    `${record.topic}-${record.partition}@${record.offset}`;
  return {
    id: eventId('DEAD_LETTER', consumer, record.topic, record.partition, record.offset),
    type: 'DEAD_LETTER',
    timestamp: now().toISOString(),
    source: consumer,
    correlationId,
    payload: {
      reason,
      error: error.length > 4000 ? `${error.slice(0, 4000)}…` : error,
      consumer,
      origin: {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        timestamp: Number.isSafeInteger(record.timestamp) ? record.timestamp : undefined,
      },
      key: record.rawKey,
      value: record.rawValue,
    },
  };
}
