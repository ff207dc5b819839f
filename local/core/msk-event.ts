/**
 * The event Lambda delivers from an Amazon MSK event-source mapping, built in one place: records grouped
 * by `<topic>-<partition>`, key and value base64, each header as `{ name: bytes[] }`. The local ESM
 * emulator (local/runtime/esm.ts) builds the events it invokes functions with here, and the tests build
 * their consumer events through the same functions (test/support/events.ts), so the two cannot drift.
 */

export interface MskRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key: string | null;
  value: string | null;
  headers: Record<string, number[]>[];
}

export interface MskEvent {
  eventSource: 'aws:kafka';
  eventSourceArn: string;
  bootstrapServers: string;
  records: Record<string, MskRecord[]>;
}

/** One Kafka record before encoding; text is taken as UTF-8. */
export interface KafkaRecordParts {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number | string;
  readonly timestamp: number | string;
  readonly key: Buffer | string | null | undefined;
  readonly value: Buffer | string | null | undefined;
  /** In record order; a header may repeat. */
  readonly headers: readonly (readonly [name: string, value: Buffer | string])[];
}

const bytes = (v: Buffer | string): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'));
const base64 = (v: Buffer | string | null | undefined): string | null =>
  v === null || v === undefined ? null : bytes(v).toString('base64');

/** One record as Lambda puts it in an MSK event. */
export function encodeMskRecord(r: KafkaRecordParts): MskRecord {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: Number(r.timestamp),
    timestampType: 'CREATE_TIME',
    key: base64(r.key),
    value: base64(r.value),
    headers: r.headers.map(([name, value]) => ({ [name]: [...bytes(value)] })),
  };
}

/** The event for a batch of encoded records, grouped by `<topic>-<partition>` in arrival order. */
export function toMskEvent(
  records: readonly MskRecord[],
  source: { eventSourceArn: string; bootstrapServers: string },
): MskEvent {
  const grouped: Record<string, MskRecord[]> = {};
  for (const r of records) {
    const key = `${r.topic}-${r.partition}`;
    if (!grouped[key]) grouped[key] = [];
    grouped[key].push(r);
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: source.eventSourceArn,
    bootstrapServers: source.bootstrapServers,
    records: grouped,
  };
}
