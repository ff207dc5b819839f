import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeHandler } from '#functions/payment/consumer';
import type { AnyEvent, EventOf } from '#shared/contracts';
import { EntityStore } from '#shared/db/entity-store';
import type { PaymentState } from '#shared/domain/payment/payment';
import { SimulatedPaymentProvider } from '#shared/domain/payment/provider';
import type { MSKEvent } from '#shared/kafka';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const created = (orderId: string, paymentMethod = 'tok_visa'): EventOf<'ORDER_CREATED'> => ({
  id: `evt-created-${orderId}`,
  type: 'ORDER_CREATED',
  timestamp: '2026-03-19T13:00:00.000Z',
  source: 'order',
  correlationId: orderId,
  payload: {
    orderId,
    customerId: 'cust-1',
    items: [{ name: 'Iced latte', quantity: 2, unitPriceCents: 450 }],
    totalCents: 900,
    deliveryLocation: 'Library L2',
    paymentMethod,
  },
});

describe('Payment consumer (MSK events on dynalite)', () => {
  let dynamo: Dynamo;
  let publisher: MemoryPublisher;
  let provider: SimulatedPaymentProvider;
  let handler: (e: MSKEvent) => Promise<unknown>;
  const deadLetters: string[] = [];

  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    publisher = new MemoryPublisher('payment');
    provider = new SimulatedPaymentProvider();
    deadLetters.length = 0;
    handler = makeHandler({
      payments: new EntityStore<PaymentState>(dynamo.client, () => TABLES.PAYMENTS_TABLE, 'PAYMENT'),
      provider,
      publisher,
      logger: silentLogger(),
      metrics: { deadLettered: (reason) => deadLetters.push(reason) },
    });
  });

  it('processes the documented MSK sample: authorizes the good records, dead-letters the non-JSON one with its origin', async () => {
    const sample = JSON.parse(
      readFileSync(join(__dirname, '../../fixtures/aws-events/msk-event.json'), 'utf8'),
    ) as MSKEvent;
    await handler(sample);
    const authorized = publisher.events('payment-events');
    expect(authorized.map((e) => [e.type, e.correlationId])).toEqual([
      ['PAYMENT_AUTHORIZED', 'order-123'],
      ['PAYMENT_AUTHORIZED', 'order-125'],
    ]);
    const [letter] = publisher.events('dead-letters') as EventOf<'DEAD_LETTER'>[];
    expect(letter?.payload).toMatchObject({
      reason: 'NOT_JSON',
      consumer: 'payment',
      origin: { topic: 'order-events', partition: 0, offset: 16 },
      key: 'b3JkZXItMTI0',
      value: 'e25vdCBqc29u',
    });
    expect(letter?.correlationId).toBe('order-124');
    expect(deadLetters).toEqual(['NOT_JSON']);
  });

  it('dead-letters unknown types and impossible transitions, and goes on with the batch', async () => {
    const released: AnyEvent = {
      id: 'evt-rel-x',
      type: 'FUNDS_RELEASED',
      timestamp: '2026-03-19T13:00:00.000Z',
      source: 'escrow',
      correlationId: 'ord-never',
      payload: { orderId: 'ord-never', holdId: 'h', paymentId: 'p', runnerId: 'r', amountCents: 5 },
    };
    await handler(
      mskEvent([
        {
          topic: 'order-events',
          offset: 1,
          value: JSON.stringify({ id: 'x', type: 'ORDER_SHIPPED', payload: {} }),
        },
        { topic: 'escrow-events', offset: 2, value: released },
        { topic: 'order-events', offset: 3, value: created('ord-after') },
      ]),
    );
    const letters = publisher.events('dead-letters') as EventOf<'DEAD_LETTER'>[];
    expect(letters.map((l) => l.payload.reason)).toEqual(['UNKNOWN_TYPE', 'IMPOSSIBLE_TRANSITION']);
    expect(letters[1]?.payload.error).toMatch(/payment ord-never is absent; cannot capture/);
    expect(publisher.events('payment-events').map((e) => e.type)).toEqual(['PAYMENT_AUTHORIZED']);
  });

  it('declines tok_decline with PAYMENT_FAILED', async () => {
    await handler(mskEvent([{ topic: 'order-events', offset: 1, value: created('ord-dec', 'tok_decline') }]));
    expect(publisher.events()[0]).toMatchObject({
      type: 'PAYMENT_FAILED',
      payload: { code: 'CARD_DECLINED', amountCents: 900 },
    });
  });

  it('fails the batch on a transient publish failure, and the redelivery publishes the identical event (crash after write)', async () => {
    publisher.failNext(1);
    const batch = mskEvent([{ topic: 'order-events', offset: 7, value: created('ord-crash') }]);
    await expect(handler(batch)).rejects.toThrow(/simulated broker outage/);
    expect(publisher.published).toEqual([]);
    const stored = await new EntityStore<PaymentState>(
      dynamo.client,
      () => TABLES.PAYMENTS_TABLE,
      'PAYMENT',
    ).get({ pk: 'PAYMENT#ord-crash', sk: 'PAYMENT' });
    expect(stored?.state.status).toBe('AUTHORIZED');
    await handler(batch);
    await handler(batch);
    const [a, b] = publisher.events();
    expect(a?.type).toBe('PAYMENT_AUTHORIZED');
    expect(b).toEqual(a);
    expect([...provider.ledger.keys()]).toEqual(['authorize:ord-crash']);
  });

  it('fails the batch when DynamoDB is unreachable (transient), dead-lettering nothing', async () => {
    const broken = makeHandler({
      payments: new EntityStore<PaymentState>(dynamo.client, () => 'no-such-table', 'PAYMENT'),
      provider,
      publisher,
      logger: silentLogger(),
    });
    await expect(
      broken(mskEvent([{ topic: 'order-events', offset: 1, value: created('ord-t') }])),
    ).rejects.toThrow();
    expect(publisher.events('dead-letters')).toEqual([]);
  });
});
