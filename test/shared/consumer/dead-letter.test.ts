/**
 * Dead letters are de-duplicated downstream by their event id, so the id must be a function of the consumer
 * and the record's origin only: dead-lettering the same record again (an ESM redelivery, a retried batch)
 * yields the same id, and any other record or consumer a different one. Also pins what a dead letter
 * carries (reason, origin, raw key and value, the order id it belongs to) through the real batch loop.
 */
import { deadLetterFor } from '#shared/consumer/dead-letter';
import { processBatch } from '#shared/consumer/process-batch';
import { type EventOf, eventId } from '#shared/contracts';
import { RejectedRecordError, TransientError } from '#shared/errors';
import { type DecodedRecord, decodeMskEvent } from '#shared/kafka';
import { mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const NOW = new Date('2026-03-19T13:00:00.000Z');

const accepted: EventOf<'ORDER_ACCEPTED'> = {
  id: 'evt-acc-ord-dl',
  type: 'ORDER_ACCEPTED',
  timestamp: '2026-03-19T13:01:00.000Z',
  source: 'order',
  correlationId: 'ord-dl',
  payload: { orderId: 'ord-dl', customerId: 'cust-1', runnerId: 'r-1', totalCents: 900 },
};

async function decoded(spec: Parameters<typeof mskEvent>[0][number]): Promise<DecodedRecord> {
  const [record] = await decodeMskEvent(mskEvent([spec]));
  return record!;
}

describe('deadLetterFor', () => {
  it('gives the same record the same id every time, whatever the clock, reason or error says', async () => {
    const record = await decoded({ topic: 'order-events', partition: 2, offset: 41, value: '{oops' });
    const first = deadLetterFor(record, 'payment', 'NOT_JSON', 'Unexpected token o', () => NOW);
    const again = deadLetterFor(
      await decoded({ topic: 'order-events', partition: 2, offset: 41, value: '{oops' }),
      'payment',
      'REJECTED',
      'another message',
      () => new Date('2027-01-01T00:00:00.000Z'),
    );
    expect(again.id).toBe(first.id);
    // the DEAD_LETTER id of that consumer and origin, in the id space of DEAD_LETTER events (shared/contracts/ids.ts)
    expect(first.id).toBe(eventId('DEAD_LETTER', 'payment', 'order-events', 2, 41));
    expect(first.id).not.toBe(eventId('NOTIFICATION_SENT', 'payment', 'order-events', 2, 41));
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives a different id to another consumer, topic, partition or offset', async () => {
    const base = { topic: 'order-events', partition: 2, offset: 41, value: '{oops' };
    const id = async (consumer: string, spec: Partial<typeof base> = {}) =>
      deadLetterFor(await decoded({ ...base, ...spec }), consumer, 'NOT_JSON', 'x', () => NOW).id;
    const ids = [
      await id('payment'),
      await id('escrow'),
      await id('payment', { topic: 'escrow-events' }),
      await id('payment', { partition: 3 }),
      await id('payment', { offset: 42 }),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries the reason, the error, the origin and the key and value exactly as received', async () => {
    const record = await decoded({
      topic: 'order-events',
      partition: 1,
      offset: 7,
      key: 'ord-9',
      value: '{oops',
      timestamp: 1773925200123,
    });
    const letter = deadLetterFor(record, 'escrow', 'NOT_JSON', 'bad json', () => NOW);
    expect(letter).toEqual({
      id: letter.id,
      type: 'DEAD_LETTER',
      timestamp: NOW.toISOString(),
      source: 'escrow',
      correlationId: 'ord-9',
      payload: {
        reason: 'NOT_JSON',
        error: 'bad json',
        consumer: 'escrow',
        origin: { topic: 'order-events', partition: 1, offset: 7, timestamp: 1773925200123 },
        key: Buffer.from('ord-9').toString('base64'),
        value: Buffer.from('{oops').toString('base64'),
      },
    });
  });

  it('belongs to the event’s order when the value parses, else to the key, else to its origin', async () => {
    const parsed = await decoded({ topic: 'order-events', offset: 1, key: 'other-key', value: accepted });
    expect(deadLetterFor(parsed, 'timer', 'REJECTED', 'x', () => NOW).correlationId).toBe('ord-dl');
    const keyed = await decoded({ topic: 'order-events', offset: 2, key: 'ord-k', value: 'nope' });
    expect(deadLetterFor(keyed, 'timer', 'NOT_JSON', 'x', () => NOW).correlationId).toBe('ord-k');
    const bare = await decoded({ topic: 'order-events', partition: 4, offset: 3, key: null, value: 'nope' });
    expect(deadLetterFor(bare, 'timer', 'NOT_JSON', 'x', () => NOW).correlationId).toBe('order-events-4@3');
  });

  it('cuts an error message longer than 4000 characters and marks the cut', async () => {
    const record = await decoded({ topic: 'order-events', offset: 1, value: 'nope' });
    const exact = deadLetterFor(record, 'timer', 'NOT_JSON', 'e'.repeat(4000), () => NOW);
    expect(exact.payload.error).toBe('e'.repeat(4000));
    const long = deadLetterFor(record, 'timer', 'NOT_JSON', 'e'.repeat(4001), () => NOW);
    expect(long.payload.error).toBe(`${'e'.repeat(4000)}…`);
  });

  it('leaves out a record timestamp that is not a safe integer', () => {
    const record = {
      topic: 'order-events',
      partition: 0,
      offset: 5,
      timestamp: Number.NaN,
      key: 'ord-1',
      headers: {},
      rawKey: null,
      rawValue: null,
      result: { ok: false, error: { reason: 'NOT_JSON', message: 'x' } },
    } as unknown as DecodedRecord;
    expect(deadLetterFor(record, 'timer', 'NOT_JSON', 'x', () => NOW).payload.origin).toEqual({
      topic: 'order-events',
      partition: 0,
      offset: 5,
      timestamp: undefined,
    });
  });
});

describe('processBatch dead-lettering a redelivered batch', () => {
  it('publishes the identical dead letter (same id) each time the same records are delivered', async () => {
    const publisher = new MemoryPublisher('payment', () => NOW);
    const batch = mskEvent([
      { topic: 'order-events', partition: 0, offset: 10, key: 'ord-a', value: '{not json' },
      { topic: 'order-events', partition: 0, offset: 11, value: accepted },
      { topic: 'order-events', partition: 1, offset: 3, key: 'ord-b', value: '{"type":"NOPE"}' },
    ]);
    const counted: string[] = [];
    const metrics = { deadLettered: (reason: string) => void counted.push(reason) };
    const deps = { consumer: 'payment', publisher, logger: silentLogger(), now: () => NOW, metrics };
    const handle = async () => {
      throw new RejectedRecordError('payment never handles ORDER_ACCEPTED twice');
    };
    const first = await processBatch(batch, deps, handle);
    const second = await processBatch(batch, deps, handle);
    expect(first).toEqual(second);
    expect(first.deadLettered.map((d) => [d.partition, d.offset, d.reason])).toEqual([
      [0, 10, 'NOT_JSON'],
      [0, 11, 'REJECTED'],
      [1, 3, expect.any(String)],
    ]);
    const letters = publisher.published;
    expect(letters.map((m) => m.topic)).toEqual(Array(6).fill('dead-letters'));
    const [a, b] = [letters.slice(0, 3), letters.slice(3)];
    expect(b).toEqual(a);
    expect(new Set(a.map((m) => m.event.id)).size).toBe(3);
    expect(a.map((m) => m.key)).toEqual(['ord-a', 'ord-dl', 'ord-b']);
    // one DeadLetters count per dead letter, by reason
    expect(counted).toEqual([...first.deadLettered, ...second.deadLettered].map((d) => d.reason));
    expect(first.handled).toBe(0);
  });

  it('counts handled records and sends dead letters to DEAD_LETTER_TOPIC when set', async () => {
    const publisher = new MemoryPublisher('payment', () => NOW);
    const saved = process.env.DEAD_LETTER_TOPIC;
    process.env.DEAD_LETTER_TOPIC = 'payment-dead-letters';
    try {
      const summary = await processBatch(
        mskEvent([
          { topic: 'order-events', offset: 1, value: accepted },
          { topic: 'order-events', offset: 2, value: 'nope' },
        ]),
        { consumer: 'payment', publisher, logger: silentLogger() },
        async () => {},
      );
      expect(summary).toMatchObject({
        records: 2,
        handled: 1,
        deadLettered: [{ topic: 'order-events', partition: 0, offset: 2, reason: 'NOT_JSON' }],
      });
      expect(publisher.published.map((m) => m.topic)).toEqual(['payment-dead-letters']);
    } finally {
      if (saved === undefined) delete process.env.DEAD_LETTER_TOPIC;
      else process.env.DEAD_LETTER_TOPIC = saved;
    }
  });

  it('dead-letters nothing and fails the batch on a transient error', async () => {
    const publisher = new MemoryPublisher('payment', () => NOW);
    const batch = mskEvent([{ topic: 'order-events', offset: 1, value: accepted }]);
    await expect(
      processBatch(batch, { consumer: 'payment', publisher, logger: silentLogger() }, async () => {
        throw new TransientError('table busy');
      }),
    ).rejects.toThrow('table busy');
    expect(publisher.published).toEqual([]);
  });
});
