/**
 * The web console's JSON API against a real runtime (real broker, dynalite, functions, HTTP): every endpoint,
 * including bad input, which answers 400 `{ error, message, details }` naming the field.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consoleUrl } from '../../../local/cli/commands/console';
import { bootWithConsole, type ConsoleSystem, orderBody, orderServiceAt, until } from './helpers';

jest.setTimeout(120_000);

let sys: ConsoleSystem;

beforeAll(async () => {
  sys = await bootWithConsole();
}, 300_000);

afterAll(async () => {
  await sys?.runtime.stop();
});

async function placeOrder(customer: string): Promise<string> {
  const r = await sys.call('POST', '/api/orders', orderBody(customer));
  expect(r.status).toBe(201);
  expect(typeof r.body.orderId).toBe('string');
  return r.body.orderId as string;
}

async function orderWith(id: string, ...types: string[]): Promise<any> {
  return until(
    async () => {
      const r = await sys.call('GET', `/api/orders/${id}`);
      const seen = new Set((r.body.timeline ?? []).map((e: any) => e.type));
      return r.status === 200 && types.every((t) => seen.has(t)) && r.body;
    },
    30_000,
    `order ${id} with ${types.join(', ')}`,
  );
}

/** The fields a 400 names, each once. */
function fieldsOf(body: any): string[] {
  return [...new Set<string>((body.details ?? []).map((d: any) => d.field))];
}

describe('console API', () => {
  it('serves the UI and answers health', async () => {
    expect(await sys.call('GET', '/api/health')).toEqual({ status: 200, body: { ok: true } });
    const page = await fetch(`${sys.url}/orders/anything`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const js = await fetch(`${sys.url}/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(await sys.call('GET', '/api/nope')).toMatchObject({ status: 404, body: { error: 'NotFound' } });
    expect(sys.runtime.endpoints.console).toBe(sys.url);
  });

  it('places an order through the HTTP API and shows its saga, money and schedule', async () => {
    const id = await placeOrder('cust-api-1');
    const d = await orderWith(id, 'ORDER_CREATED', 'PAYMENT_AUTHORIZED', 'FUNDS_HELD', 'TIMER_STARTED');
    expect(d.order).toMatchObject({
      orderId: id,
      customerId: 'cust-api-1',
      status: 'AWAITING_RUNNER',
      totalCents: 900,
    });
    expect(d.path).toEqual(['CREATED', 'PAYMENT_AUTHORIZED', 'FUNDS_HELD', 'AWAITING_RUNNER']);
    expect(d.money).toMatchObject({
      authorized: 900,
      held: 900,
      openAuthorization: 900,
      openEscrow: 900,
      balanced: false,
    });
    expect(d.schedule).toMatchObject({ name: `accept-${id}`, state: 'pending' });
    expect(d.timeline.find((r: any) => r.type === 'ORDER_CREATED').source).toBeTruthy();
    expect(d.machine.length).toBeGreaterThan(5);
    // the log lines of the functions that handled it
    await until(
      async () =>
        (await sys.call('GET', `/api/orders/${id}`)).body.logs.some((l: any) => l.message.includes(id)),
      15_000,
      'log lines naming the order',
    );

    const list = await sys.call('GET', '/api/orders?status=AWAITING_RUNNER&customer=cust-api-1');
    expect(list.status).toBe(200);
    expect(list.body.orders.map((o: any) => o.orderId)).toContain(id);
    const none = await sys.call('GET', '/api/orders?customer=nobody');
    expect(none.body).toEqual({ total: 0, orders: [] });

    const schedules = await sys.call('GET', '/api/schedules');
    expect(schedules.body.pending.find((p: any) => p.name === `accept-${id}`)).toMatchObject({ orderId: id });
  });

  it('rejects a bad order form field by field, without calling the API', async () => {
    const r = await sys.call('POST', '/api/orders', {
      customerId: 'has space',
      items: [{ name: '', quantity: 0, unitPriceCents: 1.5 }],
      deliveryLocation: '',
      paymentMethod: 'tok_visa',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('BadRequest');
    expect(fieldsOf(r.body)).toEqual(
      expect.arrayContaining([
        'customerId',
        'items.0.name',
        'items.0.quantity',
        'items.0.unitPriceCents',
        'deliveryLocation',
      ]),
    );
    const notJson = await sys.call('POST', '/api/orders', '{nope');
    expect(notJson).toMatchObject({ status: 400, body: { details: [{ field: 'body' }] } });
    const noItems = await sys.call('POST', '/api/orders', { ...orderBody('c'), items: [] });
    expect(fieldsOf(noItems.body)).toEqual(['items']);
  });

  it('rejects bad list filters naming the field', async () => {
    const r = await sys.call('GET', '/api/orders?status=LOST&since=yesterday&limit=0');
    expect(r.status).toBe(400);
    expect(fieldsOf(r.body).sort()).toEqual(['limit', 'since', 'status']);
  });

  it('accepts and completes as a runner; the money balances', async () => {
    const id = await placeOrder('cust-api-2');
    await orderWith(id, 'TIMER_STARTED');
    const bad = await sys.call('POST', `/api/orders/${id}/accept`, { actorId: '' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['actorId']);
    const unknownAction = await sys.call('POST', `/api/orders/${id}/teleport`, { actorId: 'r' });
    expect(unknownAction.status).toBe(400);
    await orderServiceAt(sys, id, 'cust-api-2', 'AWAITING_RUNNER');
    expect((await sys.call('POST', `/api/orders/${id}/accept`, { actorId: 'runner-api' })).status).toBe(200);
    expect((await sys.call('POST', `/api/orders/${id}/complete`, { actorId: 'runner-api' })).status).toBe(
      200,
    );
    const d = await orderWith(id, 'PAYMENT_CAPTURED', 'FUNDS_RELEASED');
    expect(d.order.status).toBe('COMPLETED');
    expect(d.money).toMatchObject({ captured: 900, released: 900, balanced: true });
    // the API's own refusal comes back as it is
    const late = await sys.call('POST', `/api/orders/${id}/cancel`, { actorId: 'cust-api-2' });
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/COMPLETED/);
  });

  it('fires a schedule now: TIMEOUT, refund and void; a second fire is a 404', async () => {
    const id = await placeOrder('cust-api-3');
    await orderWith(id, 'TIMER_STARTED');
    expect((await sys.call('POST', '/api/schedules/fire', {})).status).toBe(400);
    const fired = await sys.call('POST', '/api/schedules/fire', { name: `accept-${id}` });
    expect(fired).toMatchObject({ status: 200, body: { ok: true } });
    const d = await orderWith(id, 'ORDER_TIMEOUT', 'FUNDS_REFUNDED', 'PAYMENT_VOIDED');
    expect(d.order.status).toBe('CANCELLED');
    expect(d.money).toMatchObject({ refunded: 900, voided: 900, balanced: true });
    expect(d.schedule.state).toBe('fired');
    const again = await sys.call('POST', '/api/schedules/fire', { name: `accept-${id}` });
    expect(again.status).toBe(404);
    expect(fieldsOf(again.body)).toEqual(['name']);
    await until(
      async () => (await sys.call('GET', '/api/schedules')).body.fired.some((f: any) => f.orderId === id),
      10_000,
      'the fired schedule listed',
    );
  });

  it('lists topics and pages through messages with filters and a JSON path', async () => {
    const topics = await sys.call('GET', '/api/topics');
    const orderEvents = topics.body.topics.find((t: any) => t.name === 'order-events');
    expect(orderEvents.partitions.length).toBeGreaterThan(0);
    expect(orderEvents.partitions[0]).toEqual(
      expect.objectContaining({ low: expect.any(Number), high: expect.any(Number) }),
    );

    // a page stops at a scan or time budget (a loaded machine reaches the time one first): follow `next`
    const allMatches = async (query: string) => {
      const messages: any[] = [];
      let cursor: string | undefined;
      do {
        const page = await sys.call(
          'GET',
          `/api/topics/order-events/messages?limit=500&${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        messages.push(...page.body.messages);
        cursor = page.body.next;
        if (!cursor) expect(page.body.position).toBe(page.body.total);
      } while (cursor);
      return messages;
    };
    const created = await allMatches('type=ORDER_CREATED');
    expect(created.length).toBeGreaterThanOrEqual(3);
    expect(created.every((m: any) => m.envelope.type === 'ORDER_CREATED')).toBe(true);

    const two = await sys.call('GET', '/api/topics/order-events/messages?limit=2');
    expect(two.body.messages).toHaveLength(2);
    expect(two.body.next).toMatch(/^\d+:\d+$/);
    const page2 = await sys.call('GET', `/api/topics/order-events/messages?limit=2&cursor=${two.body.next}`);
    const firstOffsets = two.body.messages.map((m: any) => `${m.partition}@${m.offset}`);
    expect(page2.body.messages.map((m: any) => `${m.partition}@${m.offset}`)).not.toEqual(firstOffsets);
    // where each page stopped among the records in range: what the UI's "scanned N of M" shows
    expect(two.body.position).toBe(two.body.scanned);
    expect(page2.body.position - two.body.position).toBe(page2.body.scanned);
    expect(page2.body.total).toBeGreaterThanOrEqual(page2.body.position);

    const byPath = await allMatches(`jsonPath=${encodeURIComponent('$.items[?(@.quantity == 2)]')}`);
    expect(byPath.length).toBeGreaterThan(0);
    expect(byPath.every((m: any) => m.envelope.payload.items[0].quantity === 2)).toBe(true);
    expect(await allMatches(`jsonPath=${encodeURIComponent('$.items[?(@.quantity > 50)]')}`)).toEqual([]);

    const bad = await sys.call(
      'GET',
      '/api/topics/order-events/messages?jsonPath=items&partition=x&cursor=zz',
    );
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body).sort()).toEqual(['cursor', 'partition']);
    const badPath = await sys.call('GET', '/api/topics/order-events/messages?jsonPath=items');
    expect(fieldsOf(badPath.body)).toEqual(['jsonPath']);
    expect((await sys.call('GET', '/api/topics/no-such/messages')).status).toBe(404);
  });

  it('produces an event only when it is valid', async () => {
    const invalid = await sys.call('POST', '/api/topics/order-events/messages', {
      value: JSON.stringify({
        id: 'x',
        type: 'ORDER_CREATED',
        timestamp: 'now',
        source: 'console',
        correlationId: 'o',
        payload: {},
      }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe('InvalidEvent');
    expect(fieldsOf(invalid.body).every((f: string) => f.startsWith('value'))).toBe(true);
    expect(
      (await sys.call('POST', '/api/topics/order-events/messages', { value: '{x' })).body.details[0].field,
    ).toBe('value');
    expect(fieldsOf((await sys.call('POST', '/api/topics/order-events/messages', {})).body)).toEqual([
      'value',
    ]);

    // a valid one: an existing event sent again (consumers treat it as the duplicate it is)
    const some = (await sys.call('GET', '/api/topics/notification-events/messages?limit=1')).body.messages[0];
    const ok = await sys.call('POST', '/api/topics/notification-events/messages', { value: some.value });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      topic: 'notification-events',
      partition: expect.any(Number),
      offset: expect.any(Number),
    });
  });

  it('shows mappings with per-partition offsets and lag; a reset needs the group id typed again', async () => {
    const r = await sys.call('GET', '/api/mappings');
    expect(r.status).toBe(200);
    const payment = r.body.mappings.find((m: any) => m.topic === 'order-events');
    expect(payment.stats.invocations).toBeGreaterThan(0);
    expect(payment.stats.lastBatch).toEqual(expect.objectContaining({ records: expect.any(Number) }));
    expect(payment.partitions[0]).toEqual(
      expect.objectContaining({
        partition: expect.any(Number),
        end: expect.any(Number),
        lag: expect.any(Number),
      }),
    );
    const group = encodeURIComponent(payment.groupId);
    const unconfirmed = await sys.call('POST', `/api/groups/${group}/reset`, {
      topic: 'order-events',
      to: 'latest',
      confirm: 'x',
    });
    expect(unconfirmed.status).toBe(400);
    expect(fieldsOf(unconfirmed.body)).toEqual(['confirm']);
    const noTs = await sys.call('POST', `/api/groups/${group}/reset`, {
      topic: 'order-events',
      to: 'timestamp',
      confirm: payment.groupId,
    });
    expect(fieldsOf(noTs.body)).toEqual(['timestamp']);
    // the mapping's consumer is live: Kafka refuses to move an active group's offsets, and the console says so
    const live = await sys.call('POST', `/api/groups/${group}/reset`, {
      topic: 'order-events',
      to: 'latest',
      confirm: payment.groupId,
    });
    expect([200, 409]).toContain(live.status);
    if (live.status === 409) expect(live.body.message).toMatch(payment.groupId);
  });

  it('dead letters: view, refuse a broken fix, re-drive once, discard as a mark', async () => {
    await sys.produceRaw('order-events', 'poison-api', '{not json at all');
    const dl = await until(
      async () =>
        (await sys.call('GET', '/api/dead-letters')).body.deadLetters.find(
          (d: any) => d.key === 'poison-api',
        ),
      30_000,
      'the poison record in the dead letters',
    );
    expect(dl).toMatchObject({
      reason: 'NOT_JSON',
      status: 'open',
      value: '{not json at all',
      origin: { topic: 'order-events' },
    });
    expect(dl.valueBase64).toBe(Buffer.from('{not json at all').toString('base64'));
    expect((await sys.call('GET', `/api/dead-letters/${dl.id}`)).body.id).toBe(dl.id);
    expect((await sys.call('GET', '/api/dead-letters/9@9999')).status).toBe(404);

    const brokenFix = await sys.call('POST', '/api/dead-letters/redrive', {
      ids: [dl.id],
      value: '{"type":"ORDER_CREATED"}',
    });
    expect(brokenFix.status).toBe(400);
    expect(fieldsOf(brokenFix.body).every((f: string) => f.startsWith('value'))).toBe(true);
    expect((await sys.call('POST', '/api/dead-letters/redrive', { ids: ['nope'] })).status).toBe(400);

    // the original bytes, as they were: the consumer dead-letters it again, nothing is lost
    const first = await sys.call('POST', '/api/dead-letters/redrive', { ids: [dl.id] });
    expect(first.status).toBe(200);
    expect(first.body.redriven[0]).toMatchObject({ id: dl.id, topic: 'order-events' });
    const twice = await sys.call('POST', '/api/dead-letters/redrive', { ids: [dl.id] });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toBe('AlreadyRedriven');
    const viewed = (await sys.call('GET', `/api/dead-letters/${dl.id}`)).body;
    expect(viewed).toMatchObject({ status: 'redriven', redrive: { topic: 'order-events' } });
    // the re-driven record is on the origin topic with its marker header
    const onTopic = await sys.call(
      'GET',
      `/api/topics/order-events/messages?partition=${viewed.redrive.partition}&fromOffset=${viewed.redrive.offset}&limit=1`,
    );
    expect(onTopic.body.messages[0]).toMatchObject({
      value: '{not json at all',
      headers: { 'campusg-redrive-of': `dead-letters/${dl.id}` },
    });

    // it comes back as a second dead letter; discard marks it and keeps it listed under discarded
    const second = await until(
      async () =>
        (await sys.call('GET', '/api/dead-letters?status=open')).body.deadLetters.find(
          (d: any) => d.key === 'poison-api' && d.id !== dl.id,
        ),
      30_000,
      'the re-driven poison dead-lettered again',
    );
    expect((await sys.call('POST', '/api/dead-letters/discard', { ids: [] })).status).toBe(400);
    expect((await sys.call('POST', '/api/dead-letters/discard', { ids: [second.id] })).status).toBe(200);
    const discarded = await sys.call('GET', '/api/dead-letters?status=discarded');
    expect(discarded.body.deadLetters.map((d: any) => d.id)).toContain(second.id);
    expect((await sys.call('GET', '/api/dead-letters?status=bogus')).status).toBe(400);
  });

  it('logs: filters, REPORT statistics and the live tail', async () => {
    const fns = (await sys.call('GET', '/api/functions')).body.functions;
    const orderApi = fns.find((f: any) => /OrderApi/.test(f.constructId)).name;
    const lines = await sys.call('GET', `/api/logs?fn=${encodeURIComponent(orderApi)}&limit=50`);
    expect(lines.body.lines.length).toBeGreaterThan(0);
    expect(lines.body.lines.every((l: any) => l.fn === orderApi)).toBe(true);
    const errorsOnly = await sys.call('GET', '/api/logs?level=ERROR&limit=50');
    expect(errorsOnly.body.lines.every((l: any) => l.level === 'ERROR')).toBe(true);
    expect(fieldsOf((await sys.call('GET', '/api/logs?level=LOUD')).body)).toEqual(['level']);
    expect(fieldsOf((await sys.call('GET', '/api/logs?fn=nope')).body)).toEqual(['fn']);

    const stats = (await sys.call('GET', '/api/logs/stats')).body.functions.find(
      (s: any) => s.fn === orderApi,
    );
    expect(stats.invocations).toBeGreaterThan(0);
    expect(stats.p50).toBeGreaterThan(0);
    expect(stats.p99).toBeGreaterThanOrEqual(stats.p50);
    expect(stats.series[0]).toEqual(
      expect.objectContaining({ t: expect.any(Number), invocations: expect.any(Number) }),
    );

    // live tail: a new order's log lines arrive on the stream
    const ac = new AbortController();
    const res = await fetch(`${sys.url}/api/logs/stream?fn=${encodeURIComponent(orderApi)}&limit=1`, {
      signal: ac.signal,
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const id = await placeOrder('cust-api-tail');
    let text = '';
    await until(
      async () => {
        const { value } = await reader.read();
        text += Buffer.from(value ?? new Uint8Array()).toString('utf8');
        return text.includes(id);
      },
      15_000,
      'the live tail to carry the new order',
    );
    ac.abort();
    expect((await fetch(`${sys.url}/api/logs/stream?level=LOUD`)).status).toBe(400);
  });

  it('answers bad input on every endpoint that takes input, naming the field', async () => {
    // [method, path, body, status, the fields the answer names (400s), or the error code]
    const big = JSON.stringify({ ...orderBody('c'), deliveryLocation: 'x'.repeat(1024 * 1024) });
    const cases: [string, string, unknown, number, string[] | string][] = [
      [
        'GET',
        `/api/orders?until=soon&offset=-1&customer=${'c'.repeat(65)}`,
        undefined,
        400,
        ['customer', 'offset', 'until'],
      ],
      ['GET', '/api/orders/no-such-order', undefined, 404, 'NotFound'],
      ['POST', '/api/orders', big, 413, 'PayloadTooLarge'],
      ['POST', '/api/orders/some-order/accept', '{nope', 400, ['body']],
      ['POST', '/api/orders/some-order/accept', { actorId: 'has space' }, 400, ['actorId']],
      [
        'GET',
        '/api/topics/order-events/messages?limit=0&fromOffset=-1&since=later',
        undefined,
        400,
        ['fromOffset', 'limit', 'since'],
      ],
      ['POST', '/api/topics/no-such/messages', { value: '{}' }, 404, 'NotFound'],
      ['POST', '/api/topics/order-events/messages', { key: 42, value: '{}' }, 400, ['key']],
      ['POST', '/api/topics/order-events/messages', '[1,', 400, ['body']],
      [
        'POST',
        '/api/groups/some-group/reset',
        { topic: 'order-events', to: 'sideways', confirm: 'some-group' },
        400,
        ['to'],
      ],
      ['POST', '/api/groups/some-group/reset', { topic: 'order-events', to: 'latest' }, 400, ['confirm']],
      [
        'POST',
        '/api/groups/some-group/reset',
        { topic: 'no-such', to: 'latest', confirm: 'some-group' },
        404,
        'NotFound',
      ],
      ['GET', '/api/dead-letters/not-an-id', undefined, 404, 'NotFound'],
      ['POST', '/api/dead-letters/redrive', {}, 400, ['ids']],
      ['POST', '/api/dead-letters/redrive', { ids: ['0@1', '0@2'], value: '{}' }, 400, ['ids']],
      ['POST', '/api/dead-letters/redrive', { ids: ['0@1'], force: 'yes' }, 400, ['force']],
      ['POST', '/api/dead-letters/redrive', { ids: ['9@99999'] }, 404, ['ids']],
      ['POST', '/api/dead-letters/discard', { ids: '0@1' }, 400, ['ids']],
      ['POST', '/api/dead-letters/discard', { ids: ['9@99999'] }, 404, ['ids']],
      ['POST', '/api/schedules/fire', { name: 'accept-x', group: '' }, 400, ['group']],
      ['POST', '/api/schedules/fire', { name: 'x'.repeat(65) }, 400, ['name']],
      ['GET', '/api/logs?limit=0&after=-1', undefined, 400, ['after', 'limit']],
      ['GET', '/api/logs/stream?limit=lots', undefined, 400, ['limit']],
      ['DELETE', '/api/orders', undefined, 404, 'NotFound'],
    ];
    for (const [method, path, body, status, expected] of cases) {
      const r = await sys.call(method, path, body);
      const what = `${method} ${path.slice(0, 80)}`;
      expect({ what, status: r.status }).toEqual({ what, status });
      expect(typeof r.body.message).toBe('string');
      if (Array.isArray(expected)) {
        const error = status === 400 ? 'BadRequest' : 'NotFound';
        expect({ what, error: r.body.error }).toEqual({ what, error });
        expect({ what, fields: fieldsOf(r.body).sort() }).toEqual({ what, fields: expected });
      } else {
        expect({ what, error: r.body.error }).toEqual({ what, error: expected });
      }
    }
    // an order command for an order the Order API does not know: its own 404 comes back as it is
    const unknown = await sys.call('POST', '/api/orders/ord_nosuchorder/accept', { actorId: 'runner-api' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/ord_nosuchorder/);
  });

  it('`campusg console` finds the URL in runtime.json and says when there is none', async () => {
    expect(await consoleUrl(sys.stateDir)).toBe(sys.url);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-console-none-'));
    await expect(consoleUrl(empty)).rejects.toThrow(/no running system found .*npm start/);
  });

  it('overview: health, counts, dead letters and the saga feed', async () => {
    const o = (await sys.call('GET', '/api/overview')).body;
    expect(o.health.broker.ok).toBe(true);
    expect(o.health.scheduler.ok).toBe(true);
    expect(o.health.functions.count).toBeGreaterThan(5);
    expect(o.topics.find((t: any) => t.name === 'order-events').records).toBeGreaterThan(0);
    expect(o.deadLetters.total).toBeGreaterThanOrEqual(2);
    expect(o.orders.total).toBeGreaterThanOrEqual(4);
    expect(o.recent.length).toBeGreaterThan(0);

    const ac = new AbortController();
    const res = await fetch(`${sys.url}/api/stream`, { signal: ac.signal });
    const reader = res.body!.getReader();
    const id = await placeOrder('cust-api-feed');
    let text = '';
    await until(
      async () => {
        const { value } = await reader.read();
        text += Buffer.from(value ?? new Uint8Array()).toString('utf8');
        return text.includes(`"orderId":"${id}"`) && text.includes('event: saga');
      },
      15_000,
      'the saga feed to carry the new order',
    );
    ac.abort();
  });
});
