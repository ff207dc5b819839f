import { makeHandler } from '#functions/order/consumer';
import { ErrorCode } from '#local/kafka-broker/index';
import { EntityStore } from '#shared/db/entity-store';
import { DynamoIdempotencyKeys } from '#shared/db/idempotency-keys';
import { keys } from '#shared/db/keys';
import type { Role } from '#shared/domain/caller';
import type { OrderState } from '#shared/domain/order/order';
import { createOrderCommand, type OrderServiceDeps, orderCommand } from '#shared/services/order';
import { type BrokerRecord, startTestBroker, type TestBroker } from '#test/support/broker';
import { fixtureEvent } from '#test/support/contract-events';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const ev = fixtureEvent;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const typesOf = (records: readonly BrokerRecord[]) =>
  records.map((r) => (r.parsed.ok ? r.parsed.event.type : `!${r.parsed.error.reason}`));
const caller = (userId: string, role: Role) => ({ userId, roles: new Set<Role>([role]) });

describe('Order consumer (MSK events on dynalite, publishing to the embedded broker)', () => {
  let dynamo: Dynamo;
  let kafka: TestBroker;
  let orders: EntityStore<OrderState>;
  let handler: ReturnType<typeof makeHandler>;
  /** Order commands of the API, publishing nowhere: the broker only sees what the consumer publishes. */
  let api: OrderServiceDeps;
  const deadLettered: string[] = [];

  const order = async (orderId: string) => (await orders.get(keys.order(orderId)))?.state;
  const outputs = async (orderId: string) =>
    (await kafka.read('order-events')).filter((r) => r.key === orderId);
  const lettersFrom = async (topic: string, offsets: readonly number[]) =>
    (await kafka.read('dead-letters')).flatMap((r) =>
      r.parsed.ok &&
      r.parsed.event.type === 'DEAD_LETTER' &&
      r.parsed.event.payload.origin.topic === topic &&
      offsets.includes(r.parsed.event.payload.origin.offset)
        ? [r.parsed.event]
        : [],
    );
  const place = async (orderId: string) => {
    await createOrderCommand({ ...api, newOrderId: () => orderId }, 'cust-1', {
      items: [{ name: 'Iced latte', quantity: 2, unitPriceCents: 450 }],
      deliveryLocation: 'Library L2',
      paymentMethod: 'tok_visa',
    });
  };
  /** The events that bring an order to AWAITING_RUNNER, on their own topics and partitions. */
  const toAwaitingRunner = (orderId: string, offset: number) =>
    mskEvent([
      { topic: 'payment-events', partition: 1, offset, value: ev('PAYMENT_AUTHORIZED', orderId) },
      { topic: 'escrow-events', partition: 2, offset, value: ev('FUNDS_HELD', orderId) },
      {
        topic: 'timer-events',
        partition: 0,
        offset,
        value: ev('TIMER_STARTED', orderId, { scheduleName: `accept-${orderId}` }),
      },
    ]);

  beforeAll(async () => {
    dynamo = await startDynamo();
    kafka = await startTestBroker();
    const tableName = () => TABLES.ORDERS_TABLE;
    orders = new EntityStore<OrderState>(dynamo.client, tableName, 'ORDER');
    api = {
      orders,
      idempotencyKeys: new DynamoIdempotencyKeys(dynamo.client, tableName),
      publisher: new MemoryPublisher('order'),
    };
    handler = makeHandler({
      ...api,
      publisher: kafka.publisher('order'),
      logger: silentLogger(),
      metrics: { deadLettered: (reason) => deadLettered.push(reason) },
    });
  });
  afterAll(async () => {
    await kafka?.stop();
    await dynamo?.close();
  });
  beforeEach(() => {
    deadLettered.length = 0;
  });
  afterEach(() => kafka.broker.faults.clear());

  it('moves an order to AWAITING_RUNNER from payment, escrow and timer events on several partitions', async () => {
    await place('ordc-happy');
    await handler(toAwaitingRunner('ordc-happy', 1));
    const state = await order('ordc-happy');
    expect(state).toMatchObject({
      status: 'AWAITING_RUNNER',
      paymentId: 'pay_1',
      holdId: 'hold_1',
      scheduleName: 'accept-ordc-happy',
      deadline: '2026-03-19T13:15:00.000Z',
    });
    expect(state!.history.map((h) => [h.type, h.status, h.effect])).toEqual([
      ['ORDER_CREATED', 'CREATED', 'applied'],
      ['PAYMENT_AUTHORIZED', 'PAYMENT_AUTHORIZED', 'applied'],
      ['FUNDS_HELD', 'FUNDS_HELD', 'applied'],
      ['TIMER_STARTED', 'AWAITING_RUNNER', 'applied'],
    ]);
    // these outcomes move the order and announce nothing
    expect(await outputs('ordc-happy')).toEqual([]);
  });

  it('catches up when the timer event arrives before the hold', async () => {
    await place('ordc-ooo');
    await handler(
      mskEvent([
        { topic: 'timer-events', partition: 2, offset: 5, value: ev('TIMER_STARTED', 'ordc-ooo') },
        { topic: 'payment-events', partition: 0, offset: 5, value: ev('PAYMENT_AUTHORIZED', 'ordc-ooo') },
        { topic: 'escrow-events', partition: 1, offset: 5, value: ev('FUNDS_HELD', 'ordc-ooo') },
      ]),
    );
    expect((await order('ordc-ooo'))?.status).toBe('AWAITING_RUNNER');
  });

  it('cancels on PAYMENT_FAILED and on ORDER_TIMEOUT, publishing ORDER_CANCELLED with the reason', async () => {
    await place('ordc-declined');
    await place('ordc-timeout');
    await handler(toAwaitingRunner('ordc-timeout', 2));
    await handler(
      mskEvent([
        { topic: 'payment-events', partition: 2, offset: 9, value: ev('PAYMENT_FAILED', 'ordc-declined') },
        { topic: 'timer-events', partition: 1, offset: 9, value: ev('ORDER_TIMEOUT', 'ordc-timeout') },
      ]),
    );
    expect(await order('ordc-declined')).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'PAYMENT_FAILED',
    });
    expect(await order('ordc-timeout')).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    const [declined] = await outputs('ordc-declined');
    const [timedOut] = await outputs('ordc-timeout');
    expect(declined?.parsed).toMatchObject({
      ok: true,
      event: {
        type: 'ORDER_CANCELLED',
        source: 'order',
        payload: {
          orderId: 'ordc-declined',
          customerId: 'cust-1',
          totalCents: 900,
          reason: 'PAYMENT_FAILED',
        },
      },
    });
    expect(timedOut?.parsed).toMatchObject({
      ok: true,
      event: { type: 'ORDER_CANCELLED', payload: { reason: 'TIMEOUT' } },
    });
  });

  it('records a timeout after acceptance without cancelling the order', async () => {
    await place('ordc-late');
    await handler(toAwaitingRunner('ordc-late', 3));
    await orderCommand(api, 'ordc-late', 'accept', caller('runner-7', 'runners'));
    await handler(
      mskEvent([
        { topic: 'timer-events', partition: 0, offset: 30, value: ev('ORDER_TIMEOUT', 'ordc-late') },
      ]),
    );
    const state = await order('ordc-late');
    expect(state?.status).toBe('ACCEPTED');
    expect(state?.history.at(-1)).toMatchObject({
      type: 'ORDER_TIMEOUT',
      effect: 'recorded',
      status: 'ACCEPTED',
    });
    expect(await outputs('ordc-late')).toEqual([]);
  });

  it('makes one effect of a redelivered record and re-publishes the identical ORDER_CANCELLED', async () => {
    await place('ordc-dup');
    await handler(toAwaitingRunner('ordc-dup', 4));
    await handler(toAwaitingRunner('ordc-dup', 4));
    const awaiting = await orders.get(keys.order('ordc-dup'));
    const timeout = mskEvent([
      { topic: 'timer-events', partition: 2, offset: 40, value: ev('ORDER_TIMEOUT', 'ordc-dup') },
    ]);
    await handler(timeout);
    const cancelled = await orders.get(keys.order('ordc-dup'));
    await handler(timeout);
    await handler(toAwaitingRunner('ordc-dup', 4));

    expect(awaiting?.state.history.map((h) => h.type)).toEqual([
      'ORDER_CREATED',
      'PAYMENT_AUTHORIZED',
      'FUNDS_HELD',
      'TIMER_STARTED',
    ]);
    expect(cancelled?.version).toBe((awaiting?.version ?? 0) + 1);
    expect(await orders.get(keys.order('ordc-dup'))).toEqual(cancelled);
    expect(cancelled?.state.history.filter((h) => h.type === 'ORDER_TIMEOUT')).toHaveLength(1);

    const records = await outputs('ordc-dup');
    expect(typesOf(records)).toEqual(['ORDER_CANCELLED', 'ORDER_CANCELLED']);
    expect(records[1]!.value).toBe(records[0]!.value);
  });

  it('dead-letters poison records with their reason and origin, and handles the good ones around them', async () => {
    await place('ordc-good-1');
    await place('ordc-good-2');
    const missingField = { ...ev('TIMER_STARTED', 'ordc-good-1'), payload: { orderId: 'ordc-good-1' } };
    await handler(
      mskEvent([
        { topic: 'payment-events', partition: 0, offset: 100, value: ev('PAYMENT_FAILED', 'ordc-good-1') },
        { topic: 'payment-events', partition: 0, offset: 101, key: 'ordc-zzz', value: 'not json at all' },
        { topic: 'timer-events', partition: 1, offset: 102, value: JSON.stringify(missingField) },
        { topic: 'escrow-events', partition: 2, offset: 103, value: ev('FUNDS_HELD', 'ordc-nobody') },
        { topic: 'escrow-events', partition: 2, offset: 104, value: ev('ORDER_CREATED', 'ordc-good-2') },
        {
          topic: 'timer-events',
          partition: 1,
          offset: 105,
          value: JSON.stringify({ ...ev('ORDER_TIMEOUT', 'ordc-good-2'), type: 'ORDER_EXPLODED' }),
        },
        { topic: 'payment-events', partition: 2, offset: 106, value: ev('PAYMENT_FAILED', 'ordc-good-2') },
      ]),
    );
    expect((await order('ordc-good-1'))?.status).toBe('CANCELLED');
    expect((await order('ordc-good-2'))?.status).toBe('CANCELLED');
    expect(typesOf(await outputs('ordc-good-1'))).toEqual(['ORDER_CANCELLED']);
    expect(typesOf(await outputs('ordc-good-2'))).toEqual(['ORDER_CANCELLED']);

    const letters = [
      ...(await lettersFrom('payment-events', [101])),
      ...(await lettersFrom('timer-events', [102, 105])),
      ...(await lettersFrom('escrow-events', [103, 104])),
    ].sort((x, y) => x.payload.origin.offset - y.payload.origin.offset);
    expect(
      letters.map((l) => [
        l.payload.origin.topic,
        l.payload.origin.partition,
        l.payload.origin.offset,
        l.payload.reason,
      ]),
    ).toEqual([
      ['payment-events', 0, 101, 'NOT_JSON'],
      ['timer-events', 1, 102, 'SCHEMA_VIOLATION'],
      ['escrow-events', 2, 103, 'REJECTED'],
      ['escrow-events', 2, 104, 'REJECTED'],
      ['timer-events', 1, 105, 'UNKNOWN_TYPE'],
    ]);
    expect(letters.every((l) => l.payload.consumer === 'order')).toBe(true);
    expect(letters[0]).toMatchObject({
      correlationId: 'ordc-zzz',
      payload: { key: b64('ordc-zzz'), value: b64('not json at all') },
    });
    expect(letters[1]!.payload.error).toMatch(/payload\.scheduleName/);
    expect(letters[2]!.payload.error).toMatch(/order ordc-nobody does not exist/);
    expect(letters[3]!.payload.error).toMatch(/does not consume ORDER_CREATED/);
    expect([...deadLettered].sort()).toEqual([
      'NOT_JSON',
      'REJECTED',
      'REJECTED',
      'SCHEMA_VIOLATION',
      'UNKNOWN_TYPE',
    ]);
  });

  it('fails the batch during a broker outage; the redelivery publishes the cancellation once', async () => {
    await place('ordc-outage');
    const batch = mskEvent([
      { topic: 'payment-events', partition: 1, offset: 200, value: ev('PAYMENT_FAILED', 'ordc-outage') },
    ]);
    kafka.broker.faults.add({ apiKey: 0, action: 'drop' });
    await expect(handler(batch)).rejects.toThrow(/could not publish ORDER_CANCELLED/);
    const written = await orders.get(keys.order('ordc-outage'));
    expect(written?.state.status).toBe('CANCELLED');
    kafka.broker.faults.clear();
    expect(await outputs('ordc-outage')).toEqual([]);

    await handler(batch);
    const records = await outputs('ordc-outage');
    expect(typesOf(records)).toEqual(['ORDER_CANCELLED']);
    expect(records[0]!.parsed.ok && records[0]!.parsed.event).toEqual(
      written?.emitted[ev('PAYMENT_FAILED', 'ordc-outage').id]?.[0],
    );
    expect(await orders.get(keys.order('ordc-outage'))).toEqual(written);
    expect(await lettersFrom('payment-events', [200])).toEqual([]);
    expect(deadLettered).toEqual([]);
  });

  it('fails the batch, dead-lettering nothing, when a dead letter cannot be published', async () => {
    kafka.broker.faults.add({ apiKey: 0, action: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER } });
    await expect(
      handler(mskEvent([{ topic: 'timer-events', partition: 0, offset: 300, value: '{' }])),
    ).rejects.toThrow(/could not publish DEAD_LETTER/);
    kafka.broker.faults.clear();
    expect(await lettersFrom('timer-events', [300])).toEqual([]);
    expect(deadLettered).toEqual([]);
  });
});
