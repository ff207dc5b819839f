import { kafkaConsumer } from '@aws-lambda-powertools/kafka';
import type { ConsumerRecord, MSKEvent } from '@aws-lambda-powertools/kafka/types';
import type { Context } from 'aws-lambda';
import { type ParseResult, parseEvent } from '#shared/contracts';

/** One record of an MSK event-source-mapping batch, decoded, with its parse result kept as data. */
export interface DecodedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  /** The key as UTF-8 text (the order id), or null. */
  readonly key: string | null;
  /** Header values as UTF-8 text; a header that repeats keeps its last value. */
  readonly headers: Readonly<Record<string, string>>;
  /** Key and value exactly as Lambda delivered them (base64), for dead letters. */
  readonly rawKey: string | null;
  readonly rawValue: string | null;
  /** The event, or why the value is not one (not JSON, unknown type, schema violation naming the fields). */
  readonly result: ParseResult;
}

export type { MSKEvent };

/**
 * Decodes a Lambda MSK event (records grouped by `topic-partition`, base64 key and value, headers as byte
 * arrays) into records in delivery order. Flattening and header decoding go through Powertools' Kafka
 * consumer; each value is then parsed with the contracts. A value that is not a valid event is reported on
 * its record, never thrown, so the caller can dead-letter it and go on with the batch.
 */
export async function decodeMskEvent(event: MSKEvent): Promise<DecodedRecord[]> {
  const collect = kafkaConsumer<string, string>(
    async (e: { records: ConsumerRecord<string, string>[] }) => e.records,
  ) as unknown as (event: MSKEvent, context: Context) => Promise<ConsumerRecord<string, string>[]>;
  const records = await collect(event, {} as Context);
  return records.map((r) => {
    const rawKey = (r.originalKey as string | null | undefined) ?? null;
    const rawValue = (r.originalValue as string | null | undefined) ?? null;
    const headers: Record<string, string> = {};
    for (const h of r.headers ?? []) Object.assign(headers, h);
    const key = rawKey === null || rawKey === '' ? null : Buffer.from(rawKey, 'base64').toString('utf8');
    const result: ParseResult =
      rawValue === null ? parseEvent('null') : parseEvent(Buffer.from(rawValue, 'base64'));
    return {
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key,
      headers,
      rawKey,
      rawValue,
      result,
    };
  });
}
