/**
 * Partial batch responses in the shared consumer loop: a transient failure reports the failed record and
 * the rest of its partition (Lambda retries a partition from its lowest reported offset), other partitions
 * go on, and nothing is reported partially unless the handler opted in and the mapping honours it
 * (ESM_REPORT_BATCH_ITEM_FAILURES=true), because a mapping that ignores batchItemFailures would lose them.
 */
import { REPORT_BATCH_ITEM_FAILURES_ENV } from '#shared/consumer/batch-response';
import { kafkaBatchResponse, processBatch } from '#shared/consumer/process-batch';
import type { AnyEvent, EventOf } from '#shared/contracts';
import { TransientError } from '#shared/errors';
import { mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const NOW = new Date('2026-03-19T13:00:00.000Z');

const accepted = (orderId: string): EventOf<'ORDER_ACCEPTED'> => ({
  id: `evt-acc-${orderId}`,
  type: 'ORDER_ACCEPTED',
  timestamp: '2026-03-19T13:01:00.000Z',
  source: 'order',
  correlationId: orderId,
  payload: { orderId, customerId: 'cust-1', runnerId: 'r-1', totalCents: 900 },
});

/** Two partitions: order-events-0 at offsets 10..12, order-events-1 at 5..6. */
const batch = () =>
  mskEvent([
    { topic: 'order-events', partition: 0, offset: 10, value: accepted('ord-a') },
    { topic: 'order-events', partition: 0, offset: 11, value: accepted('ord-b') },
    { topic: 'order-events', partition: 0, offset: 12, value: accepted('ord-c') },
    { topic: 'order-events', partition: 1, offset: 5, value: accepted('ord-d') },
    { topic: 'order-events', partition: 1, offset: 6, value: accepted('ord-e') },
  ]);

describe('processBatch with partial batch responses', () => {
  const saved = process.env[REPORT_BATCH_ITEM_FAILURES_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[REPORT_BATCH_ITEM_FAILURES_ENV];
    else process.env[REPORT_BATCH_ITEM_FAILURES_ENV] = saved;
  });

  const run = async (partialBatchResponse: boolean | undefined, failOn = 'ord-b') => {
    const handled: string[] = [];
    const publisher = new MemoryPublisher('payment', () => NOW);
    const summary = await processBatch(
      batch(),
      { consumer: 'payment', publisher, logger: silentLogger(), now: () => NOW, partialBatchResponse },
      async (event: AnyEvent) => {
        if (event.correlationId === failOn) throw new TransientError('dynamodb throttled');
        handled.push(event.correlationId);
      },
    );
    return { summary, handled, publisher };
  };

  it('reports the failed record and the rest of its partition, and finishes the other partitions', async () => {
    process.env[REPORT_BATCH_ITEM_FAILURES_ENV] = 'true';
    const { summary, handled } = await run(true);
    expect(handled).toEqual(['ord-a', 'ord-d', 'ord-e']);
    expect(kafkaBatchResponse(summary)).toEqual({
      batchItemFailures: [
        { itemIdentifier: { partition: 'order-events-0', offset: 11 } },
        { itemIdentifier: { partition: 'order-events-0', offset: 12 } },
      ],
    });
    expect(summary.handled).toBe(3);
  });

  it('answers an empty list when every record was handled', async () => {
    process.env[REPORT_BATCH_ITEM_FAILURES_ENV] = 'true';
    const { summary, handled } = await run(true, 'nobody');
    expect(handled).toHaveLength(5);
    expect(kafkaBatchResponse(summary)).toEqual({ batchItemFailures: [] });
  });

  it('reports a record whose dead letter could not be published, instead of losing it', async () => {
    process.env[REPORT_BATCH_ITEM_FAILURES_ENV] = 'true';
    const publisher = new MemoryPublisher('payment', () => NOW);
    publisher.failNext(1);
    const summary = await processBatch(
      mskEvent([
        { topic: 'order-events', partition: 0, offset: 1, key: 'ord-x', value: '{not json' },
        { topic: 'order-events', partition: 1, offset: 2, value: accepted('ord-y') },
      ]),
      { consumer: 'payment', publisher, logger: silentLogger(), now: () => NOW, partialBatchResponse: true },
      async () => {},
    );
    expect(summary.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'order-events-0', offset: 1 } },
    ]);
    expect(summary.handled).toBe(1);
    expect(publisher.published).toHaveLength(0);
  });

  it('fails the whole batch when the mapping does not honour batchItemFailures', async () => {
    process.env[REPORT_BATCH_ITEM_FAILURES_ENV] = 'false';
    await expect(run(true)).rejects.toThrow(TransientError);
  });

  it('fails the whole batch when the handler did not opt in, whatever the mapping says', async () => {
    process.env[REPORT_BATCH_ITEM_FAILURES_ENV] = 'true';
    await expect(run(undefined)).rejects.toThrow(TransientError);
  });
});
