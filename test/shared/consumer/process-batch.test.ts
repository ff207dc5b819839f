/**
 * The shared consumer loop (shared/consumer/process-batch.ts) on real MSK events: valid events reach the
 * handler in delivery order, records that can never succeed become DEAD_LETTER events with their reason and
 * origin, and a transient failure fails the whole batch when partial batch responses are off. (Partial batch
 * responses: process-batch.partial.test.ts.)
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { kafkaBatchResponse, processBatch, reject } from '#shared/consumer/process-batch';
import type { AnyEvent, EventOf } from '#shared/contracts';
import { RejectedRecordError, TransientError, TransitionError } from '#shared/errors';
import { fixtureEvent } from '#test/support/contract-events';
import { mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const NOW = new Date('2026-03-19T13:05:00.000Z');

function setup(handle: (event: AnyEvent) => Promise<void>, deadLetterTopic?: 'dead-letters') {
  const publisher = new MemoryPublisher('payment', () => NOW);
  const counted: string[] = [];
  const deps = {
    consumer: 'payment',
    publisher,
    logger: silentLogger(),
    now: () => NOW,
    metrics: { deadLettered: (reason: string) => counted.push(reason) },
    ...(deadLetterTopic ? { deadLetterTopic } : {}),
  };
  return {
    publisher,
    counted,
    run: (event: Parameters<typeof processBatch>[0]) => processBatch(event, deps, handle),
  };
}

const letters = (publisher: MemoryPublisher) => publisher.events('dead-letters') as EventOf<'DEAD_LETTER'>[];

describe('processBatch', () => {
  it('hands every valid event to the handler, in offset order across partitions as delivered', async () => {
    const seen: string[] = [];
    const { publisher, run } = setup(async (e) => {
      seen.push(`${e.type}:${e.correlationId}`);
    });
    const summary = await run(
      mskEvent([
        { topic: 'order-events', partition: 0, offset: 3, value: fixtureEvent('ORDER_CREATED', 'ord-a') },
        { topic: 'order-events', partition: 0, offset: 4, value: fixtureEvent('ORDER_ACCEPTED', 'ord-a') },
        { topic: 'order-events', partition: 1, offset: 9, value: fixtureEvent('ORDER_CREATED', 'ord-b') },
      ]),
    );
    expect(seen).toEqual(['ORDER_CREATED:ord-a', 'ORDER_ACCEPTED:ord-a', 'ORDER_CREATED:ord-b']);
    expect(summary).toEqual({ records: 3, handled: 3, deadLettered: [], batchItemFailures: [] });
    expect(kafkaBatchResponse(summary)).toEqual({ batchItemFailures: [] });
    expect(publisher.published).toEqual([]);
  });

  it('dead-letters a record that is not JSON, with its reason, origin, key and raw value, and goes on', async () => {
    const seen: string[] = [];
    const { publisher, counted, run } = setup(async (e) => {
      seen.push(e.correlationId);
    });
    const summary = await run(
      mskEvent([
        { topic: 'order-events', partition: 2, offset: 16, key: 'ord-x', value: '{not json' },
        { topic: 'order-events', partition: 2, offset: 17, value: fixtureEvent('ORDER_CREATED', 'ord-y') },
      ]),
    );
    expect(seen).toEqual(['ord-y']);
    expect(summary.handled).toBe(1);
    expect(summary.deadLettered).toEqual([
      { topic: 'order-events', partition: 2, offset: 16, reason: 'NOT_JSON' },
    ]);
    expect(counted).toEqual(['NOT_JSON']);
    const [letter] = letters(publisher);
    expect(letter?.payload).toMatchObject({
      reason: 'NOT_JSON',
      consumer: 'payment',
      origin: { topic: 'order-events', partition: 2, offset: 16 },
      key: Buffer.from('ord-x').toString('base64'),
      value: Buffer.from('{not json').toString('base64'),
    });
    expect(letter?.payload.error).toContain('not JSON');
    expect(publisher.published[0]?.key).toBe(letter?.correlationId);
  });

  it('dead-letters an unknown event type and a schema violation with their own reasons', async () => {
    const { publisher, run } = setup(async () => undefined);
    const broken = { ...fixtureEvent('ORDER_CREATED', 'ord-s'), payload: { orderId: 'ord-s' } };
    const summary = await run(
      mskEvent([
        {
          topic: 'order-events',
          offset: 1,
          value: JSON.stringify({ id: 'x', type: 'ORDER_SHIPPED', payload: {} }),
        },
        { topic: 'order-events', offset: 2, value: JSON.stringify(broken) },
      ]),
    );
    expect(summary.deadLettered.map((d) => d.reason)).toEqual(['UNKNOWN_TYPE', 'SCHEMA_VIOLATION']);
    expect(letters(publisher).map((l) => l.payload.reason)).toEqual(['UNKNOWN_TYPE', 'SCHEMA_VIOLATION']);
    expect(summary.handled).toBe(0);
  });

  it('dead-letters what the handler refuses for good: a forbidden transition and a rejected record', async () => {
    const { publisher, counted, run } = setup(async (e) => {
      if (e.correlationId === 'ord-t')
        throw new TransitionError('order', 'ord-t', 'CANCELLED', 'accept', ['AWAITING_RUNNER']);
      reject(`payment never handles ${e.type}`);
    });
    const summary = await run(
      mskEvent([
        { topic: 'order-events', offset: 7, value: fixtureEvent('ORDER_ACCEPTED', 'ord-t') },
        { topic: 'order-events', offset: 8, value: fixtureEvent('ORDER_COMPLETED', 'ord-r') },
      ]),
    );
    expect(summary.deadLettered.map((d) => [d.offset, d.reason])).toEqual([
      [7, 'IMPOSSIBLE_TRANSITION'],
      [8, 'REJECTED'],
    ]);
    expect(counted).toEqual(['IMPOSSIBLE_TRANSITION', 'REJECTED']);
    const [transition, rejected] = letters(publisher);
    expect(transition?.payload.error).toContain('ord-t');
    expect(rejected?.payload.error).toBe('payment never handles ORDER_COMPLETED');
    expect(transition?.correlationId).toBe('ord-t');
  });

  it('sends dead letters to the configured topic', async () => {
    const { publisher, run } = setup(async () => undefined, 'dead-letters');
    await run(mskEvent([{ topic: 'payment-events', offset: 0, value: 'nope' }]));
    expect(publisher.published.map((m) => m.topic)).toEqual(['dead-letters']);
  });

  it('throws a transient failure so the whole batch is redelivered, after handling the records before it', async () => {
    const seen: string[] = [];
    const { publisher, run } = setup(async (e) => {
      if (e.correlationId === 'ord-2') throw new TransientError('dynamodb throttled');
      seen.push(e.correlationId);
    });
    await expect(
      run(
        mskEvent([
          { topic: 'order-events', offset: 1, value: fixtureEvent('ORDER_CREATED', 'ord-1') },
          { topic: 'order-events', offset: 2, value: fixtureEvent('ORDER_CREATED', 'ord-2') },
          { topic: 'order-events', offset: 3, value: fixtureEvent('ORDER_CREATED', 'ord-3') },
        ]),
      ),
    ).rejects.toThrow('dynamodb throttled');
    expect(seen).toEqual(['ord-1']);
    expect(publisher.published).toEqual([]);
  });

  it('throws when the dead letter itself cannot be published (the record must not be lost)', async () => {
    const { publisher, run } = setup(async () => undefined);
    publisher.failNext();
    await expect(run(mskEvent([{ topic: 'order-events', offset: 5, value: '{' }]))).rejects.toThrow(
      'simulated broker outage',
    );
  });

  it('reject() throws the RejectedRecordError the loop dead-letters', () => {
    expect(() => reject('not for me')).toThrow(RejectedRecordError);
    expect(() => reject('not for me')).toThrow('not for me');
  });
});

describe('processBatch log lines', () => {
  /** The JSON lines a real Powertools logger writes while `fn` runs. */
  async function logLines(fn: (logger: Logger) => Promise<unknown>): Promise<Record<string, unknown>[]> {
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      await fn(new Logger({ serviceName: 'payment', logLevel: 'DEBUG' }));
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    return written
      .flatMap((w) => w.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('tags each record’s lines with its order (the key when the value does not parse) and clears the tag after it', async () => {
    const lines = await logLines(async (logger) => {
      const deps = { consumer: 'payment', publisher: new MemoryPublisher('payment', () => NOW), logger };
      await processBatch(
        mskEvent([
          { topic: 'order-events', offset: 1, key: 'ord-broken', value: '{not json' },
          { topic: 'order-events', offset: 2, value: fixtureEvent('ORDER_CREATED', 'ord-ok') },
        ]),
        deps,
        async () => {
          logger.info('handling');
        },
      );
    });
    const line = (message: string) => lines.find((l) => l.message === message);
    expect(line('record dead-lettered')).toMatchObject({ orderId: 'ord-broken', offset: 1 });
    expect(line('handling')).toMatchObject({ orderId: 'ord-ok' });
    expect(line('batch processed')).toMatchObject({ records: 2, handled: 1, deadLettered: 1 });
    expect(line('batch processed')).not.toHaveProperty('orderId');
  });
});
