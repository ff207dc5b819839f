import { makeHandler } from '#functions/escrow/consumer';
import { ErrorCode } from '#local/kafka-broker/index';
import { EntityStore } from '#shared/db/entity-store';
import { keys } from '#shared/db/keys';
import type { EscrowState } from '#shared/domain/escrow/escrow';
import { type BrokerRecord, startTestBroker, type TestBroker } from '#test/support/broker';
import { fixtureEvent } from '#test/support/contract-events';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { mskEvent, silentLogger } from '#test/support/events';

const ev = fixtureEvent;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const typesOf = (records: readonly BrokerRecord[]) =>
  records.map((r) => (r.parsed.ok ? r.parsed.event.type : `!${r.parsed.error.reason}`));

describe('Escrow consumer (MSK events on dynalite, publishing to the embedded broker)', () => {
  let dynamo: Dynamo;
  let kafka: TestBroker;
  let holds: EntityStore<EscrowState>;
  let handler: ReturnType<typeof makeHandler>;
  const deadLettered: string[] = [];

  const hold = async (orderId: string) => (await holds.get(keys.hold(orderId)))?.state;
  const outputs = async (orderId: string) =>
    (await kafka.read('escrow-events')).filter((r) => r.key === orderId);
  const lettersFrom = async (topic: string, offsets: readonly number[]) =>
    (await kafka.read('dead-letters')).flatMap((r) =>
      r.parsed.ok &&
      r.parsed.event.type === 'DEAD_LETTER' &&
      r.parsed.event.payload.origin.topic === topic &&
      offsets.includes(r.parsed.event.payload.origin.offset)
        ? [r.parsed.event]
        : [],
    );

  beforeAll(async () => {
    dynamo = await startDynamo();
    kafka = await startTestBroker();
    holds = new EntityStore<EscrowState>(dynamo.client, () => TABLES.ESCROW_TABLE, 'HOLD');
    handler = makeHandler({
      holds,
      publisher: kafka.publisher('escrow'),
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

  it('holds on PAYMENT_AUTHORIZED across partitions, then releases on completion and refunds on cancellation', async () => {
    await handler(
      mskEvent([
        { topic: 'payment-events', partition: 0, offset: 3, value: ev('PAYMENT_AUTHORIZED', 'esc-a') },
        {
          topic: 'payment-events',
          partition: 1,
          offset: 8,
          value: ev('PAYMENT_AUTHORIZED', 'esc-b', { amountCents: 1250, paymentId: 'pay_b' }),
          headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        },
        { topic: 'order-events', partition: 2, offset: 5, value: ev('ORDER_CREATED', 'esc-b') },
      ]),
    );
    const [heldA] = await outputs('esc-a');
    const [heldB] = await outputs('esc-b');
    expect(heldA?.parsed).toMatchObject({
      ok: true,
      event: {
        type: 'FUNDS_HELD',
        source: 'escrow',
        correlationId: 'esc-a',
        payload: { orderId: 'esc-a', customerId: 'cust-1', paymentId: 'pay_1', amountCents: 900 },
      },
    });
    expect(heldB?.parsed).toMatchObject({
      ok: true,
      event: { type: 'FUNDS_HELD', payload: { paymentId: 'pay_b', amountCents: 1250 } },
    });
    expect(await hold('esc-b')).toMatchObject({ status: 'HELD', heldCents: 1250, releasedCents: 0 });

    await handler(
      mskEvent([
        { topic: 'order-events', partition: 0, offset: 9, value: ev('ORDER_COMPLETED', 'esc-a') },
        {
          topic: 'order-events',
          partition: 1,
          offset: 4,
          value: ev('ORDER_CANCELLED', 'esc-b', { reason: 'CUSTOMER', totalCents: 1250 }),
        },
      ]),
    );
    expect(typesOf(await outputs('esc-a'))).toEqual(['FUNDS_HELD', 'FUNDS_RELEASED']);
    expect(typesOf(await outputs('esc-b'))).toEqual(['FUNDS_HELD', 'FUNDS_REFUNDED']);
    const released = (await kafka.eventsOf('escrow-events', 'esc-a'))[1];
    expect(released).toMatchObject({
      payload: { runnerId: 'runner-7', amountCents: 900, paymentId: 'pay_1' },
    });
    const refunded = (await kafka.eventsOf('escrow-events', 'esc-b'))[1];
    expect(refunded).toMatchObject({
      payload: { amountCents: 1250, reason: 'CUSTOMER', customerId: 'cust-1' },
    });

    const a = await hold('esc-a');
    const b = await hold('esc-b');
    expect(a).toMatchObject({ status: 'RELEASED', heldCents: 900, releasedCents: 900, refundedCents: 0 });
    expect(b).toMatchObject({ status: 'REFUNDED', heldCents: 1250, releasedCents: 0, refundedCents: 1250 });
    for (const h of [a!, b!]) expect(h.releasedCents + h.refundedCents).toBe(h.heldCents);
    expect(await kafka.read('dead-letters')).toEqual([]);
  });

  it('closes the hold on a cancellation before the authorization: the late PAYMENT_AUTHORIZED holds nothing', async () => {
    await handler(
      mskEvent([
        { topic: 'order-events', partition: 1, offset: 20, value: ev('ORDER_CANCELLED', 'esc-early') },
        { topic: 'payment-events', partition: 2, offset: 30, value: ev('PAYMENT_AUTHORIZED', 'esc-early') },
      ]),
    );
    expect(await hold('esc-early')).toMatchObject({ status: 'CLOSED', heldCents: 0 });
    expect(await outputs('esc-early')).toEqual([]);
  });

  it('makes one effect of a redelivered record and re-publishes the identical event', async () => {
    const authorize = mskEvent([
      { topic: 'payment-events', partition: 2, offset: 41, value: ev('PAYMENT_AUTHORIZED', 'esc-dup') },
    ]);
    await handler(authorize);
    const first = await holds.get(keys.hold('esc-dup'));
    await handler(authorize);
    const complete = mskEvent([
      { topic: 'order-events', partition: 0, offset: 12, value: ev('ORDER_COMPLETED', 'esc-dup') },
    ]);
    await handler(complete);
    const released = await holds.get(keys.hold('esc-dup'));
    await handler(complete);
    await handler(authorize);

    // the store moved twice (hold, release) whatever the redeliveries
    expect(first?.version).toBe(1);
    expect(released?.version).toBe(2);
    expect(await holds.get(keys.hold('esc-dup'))).toEqual(released);
    expect(released?.state).toMatchObject({ heldCents: 900, releasedCents: 900 });

    const records = await outputs('esc-dup');
    expect(typesOf(records)).toEqual([
      'FUNDS_HELD',
      'FUNDS_HELD',
      'FUNDS_RELEASED',
      'FUNDS_RELEASED',
      'FUNDS_HELD',
    ]);
    expect(records[1]!.value).toBe(records[0]!.value);
    expect(records[4]!.value).toBe(records[0]!.value);
    expect(records[3]!.value).toBe(records[2]!.value);
  });

  it('dead-letters poison records with their reason and origin, and handles the good ones around them', async () => {
    // a refunded hold that a late completion would release: the state machine forbids it
    await handler(
      mskEvent([
        {
          topic: 'payment-events',
          partition: 0,
          offset: 50,
          value: ev('PAYMENT_AUTHORIZED', 'esc-refunded'),
        },
        { topic: 'order-events', partition: 0, offset: 51, value: ev('ORDER_CANCELLED', 'esc-refunded') },
      ]),
    );
    const badSchema = {
      ...ev('PAYMENT_AUTHORIZED', 'esc-bad'),
      payload: { orderId: 'esc-bad', amountCents: -5 },
    };
    await handler(
      mskEvent([
        { topic: 'payment-events', partition: 0, offset: 60, value: ev('PAYMENT_AUTHORIZED', 'esc-good-1') },
        {
          topic: 'payment-events',
          partition: 1,
          offset: 61,
          key: 'esc-garbled',
          value: '{"type":"PAYMENT_AUTH',
        },
        { topic: 'payment-events', partition: 2, offset: 62, value: JSON.stringify(badSchema) },
        {
          topic: 'order-events',
          partition: 1,
          offset: 63,
          value: JSON.stringify({ ...ev('ORDER_CREATED', 'esc-x'), type: 'ORDER_TELEPORTED' }),
        },
        { topic: 'order-events', partition: 2, offset: 64, value: ev('ORDER_COMPLETED', 'esc-refunded') },
        { topic: 'order-events', partition: 2, offset: 65, value: ev('ORDER_COMPLETED', 'esc-never-held') },
        { topic: 'payment-events', partition: 1, offset: 66, value: ev('FUNDS_HELD', 'esc-echo') },
        { topic: 'payment-events', partition: 2, offset: 67, value: ev('PAYMENT_AUTHORIZED', 'esc-good-2') },
      ]),
    );
    expect(typesOf(await outputs('esc-good-1'))).toEqual(['FUNDS_HELD']);
    expect(typesOf(await outputs('esc-good-2'))).toEqual(['FUNDS_HELD']);
    expect(await hold('esc-refunded')).toMatchObject({
      status: 'REFUNDED',
      releasedCents: 0,
      refundedCents: 900,
    });
    expect(typesOf(await outputs('esc-refunded'))).toEqual(['FUNDS_HELD', 'FUNDS_REFUNDED']);

    const letters = [
      ...(await lettersFrom('payment-events', [61, 62, 66])),
      ...(await lettersFrom('order-events', [63, 64, 65])),
    ].sort((x, y) => x.payload.origin.offset - y.payload.origin.offset);
    expect(
      letters.map((l) => ({ ...l.payload.origin, reason: l.payload.reason, consumer: l.payload.consumer })),
    ).toEqual([
      {
        topic: 'payment-events',
        partition: 1,
        offset: 61,
        timestamp: 1773925200000,
        reason: 'NOT_JSON',
        consumer: 'escrow',
      },
      {
        topic: 'payment-events',
        partition: 2,
        offset: 62,
        timestamp: 1773925200000,
        reason: 'SCHEMA_VIOLATION',
        consumer: 'escrow',
      },
      {
        topic: 'order-events',
        partition: 1,
        offset: 63,
        timestamp: 1773925200000,
        reason: 'UNKNOWN_TYPE',
        consumer: 'escrow',
      },
      {
        topic: 'order-events',
        partition: 2,
        offset: 64,
        timestamp: 1773925200000,
        reason: 'IMPOSSIBLE_TRANSITION',
        consumer: 'escrow',
      },
      {
        topic: 'order-events',
        partition: 2,
        offset: 65,
        timestamp: 1773925200000,
        reason: 'IMPOSSIBLE_TRANSITION',
        consumer: 'escrow',
      },
      {
        topic: 'payment-events',
        partition: 1,
        offset: 66,
        timestamp: 1773925200000,
        reason: 'REJECTED',
        consumer: 'escrow',
      },
    ]);
    const [garbled, schema, , refundedRelease] = letters;
    expect(garbled).toMatchObject({
      correlationId: 'esc-garbled',
      payload: { key: b64('esc-garbled'), value: b64('{"type":"PAYMENT_AUTH') },
    });
    expect(schema!.payload.error).toMatch(/payload\.(customerId|paymentId|amountCents)/);
    expect(refundedRelease!.payload.error).toMatch(/REFUNDED/);
    // one DeadLetters metric per letter (Lambda delivers grouped by topic-partition, so compare as a set)
    expect([...deadLettered].sort()).toEqual([
      'IMPOSSIBLE_TRANSITION',
      'IMPOSSIBLE_TRANSITION',
      'NOT_JSON',
      'REJECTED',
      'SCHEMA_VIOLATION',
      'UNKNOWN_TYPE',
    ]);
    // each dead letter is keyed by the order it concerns, so an operator finds it with the saga
    const deadRecords = (await kafka.read('dead-letters')).filter((r) => r.key === 'esc-refunded');
    expect(deadRecords).toHaveLength(1);
  });

  it('fails the batch during a broker outage and publishes the held event on the redelivery, once', async () => {
    kafka.broker.faults.add({ apiKey: 0, action: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER } });
    const batch = mskEvent([
      { topic: 'payment-events', partition: 1, offset: 70, value: ev('PAYMENT_AUTHORIZED', 'esc-outage') },
    ]);
    await expect(handler(batch)).rejects.toThrow(/could not publish FUNDS_HELD/);
    // the hold was written before the publish failed: the redelivery must publish it, not hold again
    const written = await holds.get(keys.hold('esc-outage'));
    expect(written?.state.status).toBe('HELD');
    kafka.broker.faults.clear();
    expect(await outputs('esc-outage')).toEqual([]);
    expect(await lettersFrom('payment-events', [70])).toEqual([]);

    await handler(batch);
    const records = await outputs('esc-outage');
    expect(typesOf(records)).toEqual(['FUNDS_HELD']);
    expect(records[0]!.parsed.ok && records[0]!.parsed.event).toEqual(
      written?.emitted[ev('PAYMENT_AUTHORIZED', 'esc-outage').id]?.[0],
    );
    expect(await holds.get(keys.hold('esc-outage'))).toEqual(written);
    expect(deadLettered).toEqual([]);
  });

  it('fails the batch when DynamoDB is unreachable, dead-lettering nothing', async () => {
    const broken = makeHandler({
      holds: new EntityStore<EscrowState>(dynamo.client, () => 'no-such-table', 'HOLD'),
      publisher: kafka.publisher('escrow'),
      logger: silentLogger(),
    });
    await expect(
      broken(
        mskEvent([
          { topic: 'payment-events', partition: 0, offset: 80, value: ev('PAYMENT_AUTHORIZED', 'esc-nodb') },
        ]),
      ),
    ).rejects.toThrow();
    expect(await lettersFrom('payment-events', [80])).toEqual([]);
    expect(await outputs('esc-nodb')).toEqual([]);
  });
});
