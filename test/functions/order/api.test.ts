import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { makeHandler } from '#functions/order/api';
import { EntityStore } from '#shared/db/entity-store';
import { DynamoIdempotencyKeys } from '#shared/db/idempotency-keys';
import type { OrderState } from '#shared/domain/order/order';
import type { HttpEvent } from '#shared/http/api';
import { startTestBroker, type TestBroker } from '#test/support/broker';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { customer, httpEvent, runner, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const BODY = {
  items: [{ name: 'Iced latte', quantity: 2, unitPriceCents: 450 }],
  deliveryLocation: 'Library L2',
  paymentMethod: 'tok_visa',
};

describe('Order API handler (HTTP API v2 on dynalite)', () => {
  let dynamo: Dynamo;
  let publisher: MemoryPublisher;
  let handler: ReturnType<typeof makeHandler>;
  const call = async (e: HttpEvent) => {
    const res = await handler(e);
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body) };
  };

  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    publisher = new MemoryPublisher('order');
    const tableName = () => TABLES.ORDERS_TABLE;
    handler = makeHandler({
      idempotencyKeys: new DynamoIdempotencyKeys(dynamo.client, tableName),
      orders: new EntityStore<OrderState>(dynamo.client, tableName, 'ORDER'),
      publisher,
      logger: silentLogger(),
    });
  });

  it('creates an order from the documented sample event: 201, Location, ORDER_CREATED', async () => {
    const sample = JSON.parse(
      readFileSync(join(__dirname, '../../fixtures/aws-events/http-api-v2-post-orders.json'), 'utf8'),
    ) as HttpEvent;
    const res = await call(sample);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'CREATED', totalCents: 900, customerId: 'cust-1' });
    expect(res.body.orderId).toMatch(/^ord_[0-9a-f]{20}$/);
    expect(res.headers.location).toBe(`/orders/${res.body.orderId}`);
    expect(publisher.events('order-events')).toEqual([
      expect.objectContaining({ type: 'ORDER_CREATED', correlationId: res.body.orderId, source: 'order' }),
    ]);
    expect(publisher.published[0]?.key).toBe(res.body.orderId);
  });

  it('honours Idempotency-Key: a retry returns the same order and re-publishes the identical event', async () => {
    const e = httpEvent({
      method: 'POST',
      path: '/orders',
      body: BODY,
      claims: customer('idem-cust'),
      headers: { 'idempotency-key': 'k-1' },
    });
    const first = await call(e);
    const second = await call(e);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.orderId).toBe(first.body.orderId);
    const [a, b] = publisher.events();
    expect(b).toEqual(a);
    const reused = await call(
      httpEvent({
        method: 'POST',
        path: '/orders',
        body: { ...BODY, deliveryLocation: 'Gym' },
        claims: customer('idem-cust'),
        headers: { 'idempotency-key': 'k-1' },
      }),
    );
    expect(reused.status).toBe(409);
    expect(reused.body.error).toBe('CONFLICT');
  });

  it('never creates two orders for concurrent retries with one key', async () => {
    const e = () =>
      httpEvent({
        method: 'POST',
        path: '/orders',
        body: BODY,
        claims: customer('race'),
        headers: { 'idempotency-key': 'k-race' },
      });
    const results = await Promise.all([call(e()), call(e()), call(e())]);
    // every answer is the one order: 201 with the same id; exactly one of them created it
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const orderId = results[0]!.body.orderId as string;
    expect(results.map((r) => r.body)).toEqual([0, 1, 2].map(() => expect.objectContaining({ orderId })));
    expect(results.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    // one order item and one key item for this customer; every ORDER_CREATED is the same event
    const items = await dynamo.client.send(new ScanCommand({ TableName: TABLES.ORDERS_TABLE }));
    const mine = (items.Items ?? []).filter((i) => i.state?.customerId === 'race' || i.customerId === 'race');
    expect(mine.map((i) => [i.entity, i.orderId ?? i.state.orderId]).sort()).toEqual([
      ['IDEMPOTENCY_KEY', orderId],
      ['ORDER', orderId],
    ]);
    const created = publisher.events('order-events');
    expect(created).toHaveLength(3);
    expect(new Set(created.map((c) => JSON.stringify(c))).size).toBe(1);
  });

  it('answers 400 naming each bad field', async () => {
    const res = await call(
      httpEvent({
        method: 'POST',
        path: '/orders',
        body: {
          items: [{ name: '', quantity: 0.5, unitPriceCents: -1 }],
          paymentMethod: 'tok_visa',
          extra: 1,
        },
        claims: customer(),
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('VALIDATION_FAILED');
    const paths = (res.body.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'items.0.name',
        'items.0.quantity',
        'items.0.unitPriceCents',
        'deliveryLocation',
        '',
      ]),
    );
    expect(res.body.message).toMatch(/items\.0\.quantity/);
    const notJson = await call(
      httpEvent({ method: 'POST', path: '/orders', rawBody: '{', claims: customer() }),
    );
    expect(notJson.status).toBe(400);
  });

  it('answers 401 without a token, 403 for the wrong role or user, 404 for an unknown order, 413 for a large body', async () => {
    expect((await call(httpEvent({ method: 'POST', path: '/orders', body: BODY }))).status).toBe(401);
    expect(
      (await call(httpEvent({ method: 'POST', path: '/orders', body: BODY, claims: runner() }))).status,
    ).toBe(403);
    const created = await call(
      httpEvent({ method: 'POST', path: '/orders', body: BODY, claims: customer() }),
    );
    const id = created.body.orderId;
    expect(
      (await call(httpEvent({ method: 'GET', path: `/orders/${id}`, claims: customer('someone-else') })))
        .status,
    ).toBe(403);
    expect(
      (
        await call(
          httpEvent({ method: 'POST', path: `/orders/${id}/cancel`, claims: customer('someone-else') }),
        )
      ).status,
    ).toBe(403);
    expect(
      (await call(httpEvent({ method: 'POST', path: `/orders/${id}/accept`, claims: customer() }))).status,
    ).toBe(403);
    const missing = await call(httpEvent({ method: 'GET', path: '/orders/ord_missing', claims: customer() }));
    expect(missing).toMatchObject({ status: 404, body: { error: 'NOT_FOUND', details: [] } });
    const big = await call(
      httpEvent({
        method: 'POST',
        path: '/orders',
        rawBody: JSON.stringify({ ...BODY, deliveryLocation: 'x'.repeat(70_000) }),
        claims: customer(),
      }),
    );
    expect(big.status).toBe(413);
    expect((await call(httpEvent({ method: 'DELETE', path: '/orders', claims: customer() }))).status).toBe(
      405,
    );
  });

  it('answers 409 naming the current state and the action when a transition is not allowed', async () => {
    const created = await call(
      httpEvent({ method: 'POST', path: '/orders', body: BODY, claims: customer() }),
    );
    const id = created.body.orderId;
    const res = await call(httpEvent({ method: 'POST', path: `/orders/${id}/accept`, claims: runner() }));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      error: 'INVALID_TRANSITION',
      message: `order ${id} is CREATED; cannot accept (allowed from AWAITING_RUNNER)`,
      details: [{ field: 'status', current: 'CREATED', action: 'accept', allowedFrom: ['AWAITING_RUNNER'] }],
    });
    const complete = await call(
      httpEvent({ method: 'POST', path: `/orders/${id}/complete`, claims: runner() }),
    );
    expect(complete.status).toBe(409);
  });

  it('cancels for the customer once; a repeat answers 200 with the same event', async () => {
    const created = await call(
      httpEvent({ method: 'POST', path: '/orders', body: BODY, claims: customer() }),
    );
    const id = created.body.orderId;
    publisher.clear();
    const a = await call(httpEvent({ method: 'POST', path: `/orders/${id}/cancel`, claims: customer() }));
    const b = await call(httpEvent({ method: 'POST', path: `/orders/${id}/cancel`, claims: customer() }));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.status).toBe('CANCELLED');
    const [e1, e2] = publisher.events();
    expect(e1?.type).toBe('ORDER_CANCELLED');
    expect(e2).toEqual(e1);
  });

  it('serves GET with the history of saga events, and accepts roles given as a list claim', async () => {
    const created = await call(
      httpEvent({
        method: 'POST',
        path: '/orders',
        body: BODY,
        claims: { sub: 'both', 'cognito:groups': '[runners customers]' },
      }),
    );
    expect(created.status).toBe(201);
    const got = await call(
      httpEvent({
        method: 'GET',
        path: `/orders/${created.body.orderId}`,
        claims: { sub: 'both', 'cognito:groups': '[runners customers]' },
      }),
    );
    expect(got.status).toBe(200);
    expect(got.body.history).toEqual([
      expect.objectContaining({ type: 'ORDER_CREATED', effect: 'applied', status: 'CREATED' }),
    ]);
    expect(got.body).not.toHaveProperty('paymentMethod');
  });
});

describe('Order API handler publishing to the embedded broker', () => {
  let dynamo: Dynamo;
  let kafka: TestBroker;
  let handler: ReturnType<typeof makeHandler>;
  const call = async (e: HttpEvent) => {
    const res = await handler(e);
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };

  beforeAll(async () => {
    dynamo = await startDynamo();
    kafka = await startTestBroker();
    const tableName = () => TABLES.ORDERS_TABLE;
    handler = makeHandler({
      idempotencyKeys: new DynamoIdempotencyKeys(dynamo.client, tableName),
      orders: new EntityStore<OrderState>(dynamo.client, tableName, 'ORDER'),
      publisher: kafka.publisher('order'),
      logger: silentLogger(),
    });
  });
  afterAll(async () => {
    await kafka?.stop();
    await dynamo?.close();
  });

  it('puts ORDER_CREATED on order-events, keyed by the order id and parseable by the contracts', async () => {
    const res = await call(
      httpEvent({ method: 'POST', path: '/orders', body: BODY, claims: customer('k-1') }),
    );
    expect(res.status).toBe(201);
    const id = res.body.orderId as string;
    const records = (await kafka.read('order-events')).filter((r) => r.key === id);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record!.parsed.ok).toBe(true);
    if (!record!.parsed.ok) return;
    expect(record!.parsed.event).toMatchObject({
      type: 'ORDER_CREATED',
      correlationId: id,
      source: 'order',
      payload: {
        orderId: id,
        customerId: 'k-1',
        totalCents: 900,
        deliveryLocation: 'Library L2',
        items: BODY.items,
      },
    });
    // nothing else went anywhere
    for (const topic of ['payment-events', 'dead-letters'] as const)
      expect(await kafka.read(topic)).toEqual([]);
  });

  it('keeps every event of one order in one partition, and a retried POST puts the identical record again', async () => {
    const post = httpEvent({
      method: 'POST',
      path: '/orders',
      body: BODY,
      claims: customer('k-2'),
      headers: { 'idempotency-key': 'broker-retry' },
    });
    const first = await call(post);
    const retry = await call(post);
    expect(retry.body.orderId).toBe(first.body.orderId);
    const id = first.body.orderId as string;
    const cancel = await call(
      httpEvent({ method: 'POST', path: `/orders/${id}/cancel`, claims: customer('k-2') }),
    );
    expect(cancel.status).toBe(200);
    const records = (await kafka.read('order-events')).filter((r) => r.key === id);
    expect(records.map((r) => (r.parsed.ok ? r.parsed.event.type : r.parsed.error.reason))).toEqual([
      'ORDER_CREATED',
      'ORDER_CREATED',
      'ORDER_CANCELLED',
    ]);
    expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    expect(records[1]!.value).toBe(records[0]!.value);
  });
});
