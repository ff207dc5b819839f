import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { InvokeResult, Invoker } from '#local/core/types';
import { compileFilterPattern, MemoryLogStore, startSubscriptionDelivery } from '#local/runtime/logs';

describe('filter patterns', () => {
  const json = JSON.stringify({
    level: 'ERROR',
    message: 'Payment declined',
    amountCents: 60000,
    service: 'payment',
  });
  it.each([
    ['', 'anything', true],
    ['ERROR', 'an ERROR here', true],
    ['ERROR', 'an error here', false],
    ['"Payment authorized"', 'x Payment authorized y', true],
    ['ERROR -retry', 'ERROR will retry', false],
    ['?WARN ?ERROR', 'WARN x', true],
    ['?WARN ?ERROR', 'INFO x', false],
    ['{ $.level = "ERROR" }', json, true],
    ['{ $.level = "INFO" }', json, false],
    ['{ $.amountCents > 50000 && $.service = "pay*" }', json, true],
    ['{ $.amountCents < 50000 || $.level != "ERROR" }', json, false],
    ['{ $.orderId NOT EXISTS }', json, true],
    ['{ $.level = "ERROR" }', 'not json', false],
  ])('%s on %s -> %s', (pattern, message, expected) => {
    expect(compileFilterPattern(pattern)(message)).toBe(expected);
  });
});

describe('MemoryLogStore', () => {
  it('filters by group, prefix, time and pattern, pages with nextToken, and persists to files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logs-'));
    try {
      const store = new MemoryLogStore({ dir });
      const seen: string[] = [];
      const unsubscribe = store.subscribe((g, _s, events) =>
        seen.push(...events.map((e) => `${g}:${e.message}`)),
      );
      store.append('/aws/lambda/a', 's1', [
        { timestamp: 1000, message: 'START a' },
        { timestamp: 2000, message: 'ERROR a' },
      ]);
      store.append('/aws/lambda/b', 's2', [{ timestamp: 3000, message: 'ERROR b' }]);
      unsubscribe();
      store.append('/other', 's3', [{ timestamp: 4000, message: 'x' }]);
      expect(seen).toEqual(['/aws/lambda/a:START a', '/aws/lambda/a:ERROR a', '/aws/lambda/b:ERROR b']);
      expect(store.logGroups()).toEqual(['/aws/lambda/a', '/aws/lambda/b', '/other']);
      expect(
        store
          .filter({ logGroupNamePrefix: '/aws/lambda/', filterPattern: 'ERROR' })
          .events.map((e) => e.message),
      ).toEqual(['ERROR a', 'ERROR b']);
      expect(store.filter({ startTime: 2500 }).events.map((e) => e.message)).toEqual(['ERROR b', 'x']);
      const page1 = store.filter({ limit: 2 });
      expect(page1.events).toHaveLength(2);
      const page2 = store.filter({ limit: 2, nextToken: page1.nextToken });
      expect(page2.events.map((e) => e.message)).toEqual(['ERROR b', 'x']);
      expect(page2.nextToken).toBeUndefined();
      expect(page1.events[0]).toMatchObject({
        logGroupName: '/aws/lambda/a',
        logStreamName: 's1',
        eventId: expect.any(String),
      });
      const reloaded = new MemoryLogStore({ dir });
      expect(reloaded.filter({}).events.map((e) => e.message)).toEqual([
        'START a',
        'ERROR a',
        'ERROR b',
        'x',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('subscription delivery', () => {
  it('delivers gzip+base64 CloudWatch Logs events to the destination, batched, never from its own group', async () => {
    const store = new MemoryLogStore();
    const calls: { ref: string; event: unknown }[] = [];
    const invoker: Invoker = {
      async invoke(ref, event): Promise<InvokeResult> {
        calls.push({ ref, event });
        return { ok: true, payload: null, durationMs: 1 };
      },
    };
    const shipper = 'arn:aws:lambda:us-east-1:000000000000:function:shipper';
    const delivery = startSubscriptionDelivery({
      logs: store,
      invoker,
      accountId: '000000000000',
      // No periodic delivery during the test: stop() drains the buffer, so the assertions wait on it alone.
      intervalMs: 3_600_000,
      filters: [
        {
          logGroupName: '/aws/lambda/payment',
          destinationArn: shipper,
          filterPattern: '',
          filterName: 'payment-to-logs',
        },
        {
          logGroupName: '/aws/lambda/shipper',
          destinationArn: shipper,
          filterPattern: '',
          filterName: 'self',
        },
        {
          logGroupName: '/aws/lambda/order',
          destinationArn: shipper,
          filterPattern: '{ $.level = "ERROR" }',
          filterName: 'errors',
        },
      ],
      logGroupOfFunction: (arn) => (arn === shipper ? '/aws/lambda/shipper' : undefined),
    });
    store.append('/aws/lambda/payment', 'stream-1', [
      { timestamp: 1, message: '{"level":"INFO","message":"Payment authorized"}' },
      { timestamp: 2, message: 'END RequestId: x' },
    ]);
    store.append('/aws/lambda/shipper', 'stream-s', [{ timestamp: 3, message: 'shipper output' }]);
    store.append('/aws/lambda/order', 'stream-o', [
      { timestamp: 4, message: '{"level":"INFO"}' },
      { timestamp: 5, message: '{"level":"ERROR"}' },
    ]);
    expect(calls).toEqual([]);
    await delivery.stop();
    expect(calls).toHaveLength(2);
    const decoded = calls.map((c) => {
      const data = (c.event as { awslogs: { data: string } }).awslogs.data;
      return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
    });
    const payment = decoded.find((d) => d.logGroup === '/aws/lambda/payment');
    expect(payment).toMatchObject({
      messageType: 'DATA_MESSAGE',
      owner: '000000000000',
      logStream: 'stream-1',
      subscriptionFilters: ['payment-to-logs'],
      logEvents: [
        { id: expect.any(String), timestamp: 1, message: '{"level":"INFO","message":"Payment authorized"}' },
        { id: expect.any(String), timestamp: 2, message: 'END RequestId: x' },
      ],
    });
    const order = decoded.find((d) => d.logGroup === '/aws/lambda/order');
    expect(order.logEvents.map((e: { message: string }) => e.message)).toEqual(['{"level":"ERROR"}']);
    expect(decoded.find((d) => d.logGroup === '/aws/lambda/shipper')).toBeUndefined();
  });
  it('delivers on its own every intervalMs, and stops capturing once stopped', async () => {
    const store = new MemoryLogStore();
    let delivered: (event: unknown) => void = () => {};
    const first = new Promise<unknown>((resolve) => {
      delivered = resolve;
    });
    const calls: unknown[] = [];
    const invoker: Invoker = {
      async invoke(_ref, event): Promise<InvokeResult> {
        calls.push(event);
        delivered(event);
        return { ok: true, payload: null, durationMs: 1 };
      },
    };
    const delivery = startSubscriptionDelivery({
      logs: store,
      invoker,
      accountId: '000000000000',
      intervalMs: 20,
      filters: [
        {
          logGroupName: '/aws/lambda/payment',
          destinationArn: 'arn:aws:lambda:us-east-1:000000000000:function:shipper',
          filterPattern: '',
          filterName: 'payment-to-logs',
        },
      ],
      logGroupOfFunction: () => undefined,
    });
    store.append('/aws/lambda/payment', 'stream-1', [{ timestamp: 1, message: 'tick' }]);
    const event = (await first) as { awslogs: { data: string } };
    const payload = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'));
    expect(payload.logEvents.map((e: { message: string }) => e.message)).toEqual(['tick']);
    await delivery.stop();
    store.append('/aws/lambda/payment', 'stream-1', [{ timestamp: 2, message: 'after stop' }]);
    await delivery.flush();
    expect(calls).toHaveLength(1);
  });
});
