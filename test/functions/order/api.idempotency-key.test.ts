/**
 * An Idempotency-Key belongs to the customer who sent it: the key's item is keyed by customer and key
 * (shared/db/keys.ts), so two customers who happen to pick the same key each get their own order, and
 * neither can replay, read or even learn the id of the other's. This is a security property, checked end to
 * end: real HTTP requests with signed dev tokens through the local HTTP API, the Order API handler invoked
 * in-process, orders and keys on dynalite.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { makeHandler } from '#functions/order/api';
import type { InvokeResult, Invoker, LocalRoute } from '#local/core/types';
import { type HttpApi, LocalJwt, startHttpApi } from '#local/http-api/index';
import { EntityStore } from '#shared/db/entity-store';
import { DynamoIdempotencyKeys } from '#shared/db/idempotency-keys';
import type { OrderState } from '#shared/domain/order/order';
import type { HttpEvent } from '#shared/http/api';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const ORDER_API = 'arn:aws:lambda:us-east-1:000000000000:function:OrderApiFunction';
const ROUTES: LocalRoute[] = ['POST /orders', 'GET /orders/{id}', 'POST /orders/{id}/cancel'].map(
  (routeKey) => ({ routeKey, functionArn: ORDER_API, authorizationType: 'JWT' }),
);

const BODY = {
  items: [{ name: 'Iced latte', quantity: 2, unitPriceCents: 450 }],
  deliveryLocation: 'Library L2',
  paymentMethod: 'tok_visa',
};

/** Invokes the Order API handler in this process, the way the function host would in its own. */
class HandlerInvoker implements Invoker {
  constructor(private readonly handler: ReturnType<typeof makeHandler>) {}
  async invoke(_ref: string, event: unknown): Promise<InvokeResult> {
    const started = Date.now();
    return { ok: true, payload: await this.handler(event as HttpEvent), durationMs: Date.now() - started };
  }
}

describe('Idempotency-Key isolation between customers (local HTTP API, dynalite)', () => {
  let dynamo: Dynamo;
  let api: HttpApi;
  let jwt: LocalJwt;
  let stateDir: string;
  const publisher = new MemoryPublisher('order');

  const send = async (sub: string, method: string, route: string, body?: unknown, key?: string) => {
    const token = await jwt.issueToken({ sub, groups: ['customers'] });
    const res = await fetch(`${api.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed'),
      body: (await res.json()) as Record<string, any>,
    };
  };
  const ordersIn = async () => {
    const out = await dynamo.client.send(new ScanCommand({ TableName: TABLES.ORDERS_TABLE }));
    return out.Items ?? [];
  };

  beforeAll(async () => {
    dynamo = await startDynamo();
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-idem-'));
    jwt = await LocalJwt.load(stateDir);
    const tableName = () => TABLES.ORDERS_TABLE;
    const handler = makeHandler({
      idempotencyKeys: new DynamoIdempotencyKeys(dynamo.client, tableName),
      orders: new EntityStore<OrderState>(dynamo.client, tableName, 'ORDER'),
      publisher,
      logger: silentLogger(),
    });
    api = await startHttpApi({ port: 0, routes: ROUTES, invoker: new HandlerInvoker(handler), jwt });
  });
  afterAll(async () => {
    await api?.stop();
    await dynamo?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('gives two customers who send the same key and body two orders; neither replays or reads the other', async () => {
    const alice = await send('cust-alice', 'POST', '/orders', BODY, 'shared-key');
    const bob = await send('cust-bob', 'POST', '/orders', BODY, 'shared-key');
    expect(alice).toMatchObject({ status: 201, replayed: null, body: { customerId: 'cust-alice' } });
    expect(bob).toMatchObject({ status: 201, replayed: null, body: { customerId: 'cust-bob' } });
    expect(bob.body.orderId).not.toBe(alice.body.orderId);

    // each one's retry replays their own order, not the other's
    const aliceAgain = await send('cust-alice', 'POST', '/orders', BODY, 'shared-key');
    const bobAgain = await send('cust-bob', 'POST', '/orders', BODY, 'shared-key');
    expect(aliceAgain).toMatchObject({
      status: 201,
      replayed: 'true',
      body: { orderId: alice.body.orderId },
    });
    expect(bobAgain).toMatchObject({ status: 201, replayed: 'true', body: { orderId: bob.body.orderId } });

    // each reads their own order and is refused the other's
    expect((await send('cust-bob', 'GET', `/orders/${bob.body.orderId}`)).status).toBe(200);
    const peek = await send('cust-bob', 'GET', `/orders/${alice.body.orderId}`);
    expect(peek).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
    expect((await send('cust-bob', 'POST', `/orders/${alice.body.orderId}/cancel`)).status).toBe(403);

    const orders = (await ordersIn()).filter((i) => i.entity === 'ORDER');
    const mine = orders.filter((o) => [alice.body.orderId, bob.body.orderId].includes(o.state.orderId));
    expect(mine.map((o) => o.state.customerId).sort()).toEqual(['cust-alice', 'cust-bob']);
    expect(publisher.events('order-events').filter((e) => e.type === 'ORDER_CREATED')).toHaveLength(4);
  });

  it('never tells a customer who reuses another customer’s key with a new body about that order', async () => {
    const carol = await send('cust-carol', 'POST', '/orders', BODY, 'guessable-1');
    const dave = await send(
      'cust-dave',
      'POST',
      '/orders',
      { ...BODY, deliveryLocation: 'Gym' },
      'guessable-1',
    );
    expect(dave).toMatchObject({ status: 201, replayed: null, body: { customerId: 'cust-dave' } });
    expect(dave.body.orderId).not.toBe(carol.body.orderId);
    expect(JSON.stringify(dave.body)).not.toContain(carol.body.orderId);
    // the same customer reusing their own key with another body is still a conflict
    const carolReuse = await send(
      'cust-carol',
      'POST',
      '/orders',
      { ...BODY, deliveryLocation: 'Gym' },
      'guessable-1',
    );
    expect(carolReuse).toMatchObject({ status: 409, body: { error: 'CONFLICT' } });
  });
});
