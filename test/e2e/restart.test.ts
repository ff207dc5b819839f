/**
 * Restart with the same data directory in the middle of sagas: the broker log, committed offsets, tables
 * and schedules survive, every saga finishes, nothing is lost or doubled.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Booted, boot, commandWhenReady, distinctIds, EventCollector, type SeenEvent } from './helpers';

const ORDERS = 20;

describe('restart with the same data directory', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-e2e-restart-'));
  let sys: Booted | undefined;
  let events: EventCollector | undefined;

  afterAll(async () => {
    await events?.stop();
    await sys?.runtime.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes every saga after a restart in the middle, nothing lost or doubled', async () => {
    sys = await boot({ dataDir, stateDir: dataDir });
    const created = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) => sys!.api.createOrder(`cust-r${i}`, { key: `restart-${i}` })),
    );
    expect(created.map((r) => r.status)).toEqual(created.map(() => 201));
    const ids = created.map((r) => r.body.orderId);
    // stop at once: most sagas are somewhere between ORDER_CREATED and TIMER_STARTED
    await sys.runtime.stop();
    expect(fs.existsSync(path.join(dataDir, 'runtime.json'))).toBe(false);

    sys = await boot({ dataDir, stateDir: dataDir });
    events = await new EventCollector(sys.runtime.endpoints.kafka).start();
    // a retried POST with the same idempotency key answers the same order (the tables survived)
    const replay = await sys.api.createOrder('cust-r0', { key: 'restart-0' });
    expect(replay.body.orderId).toBe(ids[0]);

    await Promise.all(ids.map((id) => events!.waitFor(id, 'TIMER_STARTED', 60_000)));
    await Promise.all(
      ids.map(async (id, i) => {
        if (i % 2 === 0) {
          expect(
            (await commandWhenReady(sys!.api, id, 'accept', { sub: `runner-${i}`, group: 'runners' })).status,
          ).toBe(200);
          expect(
            (await commandWhenReady(sys!.api, id, 'complete', { sub: `runner-${i}`, group: 'runners' }))
              .status,
          ).toBe(200);
          await events!.waitFor(id, 'PAYMENT_CAPTURED', 30_000);
        } else {
          expect(
            (await commandWhenReady(sys!.api, id, 'cancel', { sub: `cust-r${i}`, group: 'customers' }))
              .status,
          ).toBe(200);
          await events!.waitFor(id, 'PAYMENT_VOIDED', 30_000);
        }
      }),
    );
    for (const [i, id] of ids.entries()) {
      for (const type of ['ORDER_CREATED', 'PAYMENT_AUTHORIZED', 'FUNDS_HELD', 'TIMER_STARTED']) {
        expect({ id, type, n: distinctIds(events.all, id, type).length }).toEqual({ id, type, n: 1 });
      }
      const final =
        i % 2 === 0
          ? ['ORDER_COMPLETED', 'FUNDS_RELEASED', 'PAYMENT_CAPTURED']
          : ['ORDER_CANCELLED', 'FUNDS_REFUNDED', 'PAYMENT_VOIDED'];
      for (const type of final)
        expect({ id, type, n: distinctIds(events.all, id, type).length }).toEqual({ id, type, n: 1 });
      const order = await sys.api.getOrder(id, `cust-r${i}`);
      expect(order.body.status).toBe(i % 2 === 0 ? 'COMPLETED' : 'CANCELLED');
    }
  }, 180_000);
});

/** Scheduler time 60x faster: the 15-minute acceptance deadline passes 15 s after TIMER_STARTED. */
const TIMER_TIME_SCALE = 60;

/** One item of a saga table of the running system, read straight from its DynamoDB endpoint. */
async function stateOf(
  sys: Booted,
  tableVariable: string,
  key: { pk: string; sk: string },
): Promise<Record<string, unknown> | undefined> {
  const tableName = sys.runtime.model.functions
    .map((f) => f.environment[tableVariable])
    .find((name) => name !== undefined);
  if (!tableName) throw new Error(`no function has ${tableVariable}`);
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: sys.runtime.endpoints.dynamodb,
      region: sys.runtime.model.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  try {
    const out = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return out.Item?.state as Record<string, unknown> | undefined;
  } finally {
    client.destroy();
  }
}

describe('restart with an acceptance deadline in flight', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-e2e-restart-timer-'));
  let sys: Booted | undefined;
  let events: EventCollector | undefined;

  afterAll(async () => {
    await events?.stop();
    await sys?.runtime.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('fires the persisted schedule after the restart: timeout, refund and void exactly once, money balanced', async () => {
    sys = await boot({ dataDir, stateDir: dataDir, timeScale: TIMER_TIME_SCALE });
    events = await new EventCollector(sys.runtime.endpoints.kafka).start();
    const created = await sys.api.createOrder('cust-timer-restart', { totalCents: 1234 });
    expect(created.status).toBe(201);
    const id = created.body.orderId;
    const started = await events.waitFor(id, 'TIMER_STARTED', 30_000);
    const { scheduleName, deadline } = started.event!.payload as { scheduleName: string; deadline: string };

    // stop while the order awaits a runner: the deadline has not fired yet
    await events.stop();
    await sys.runtime.stop();
    const stoppedAt = Date.now();
    expect(events.types(id)).not.toContain('ORDER_TIMEOUT');
    expect(fs.existsSync(path.join(dataDir, 'scheduler'))).toBe(true);

    sys = await boot({ dataDir, stateDir: dataDir, timeScale: TIMER_TIME_SCALE });
    events = await new EventCollector(sys.runtime.endpoints.kafka).start();
    const timeout = await events.waitFor(id, 'ORDER_TIMEOUT', 60_000);
    // the schedule fired in the restarted runtime, from what it persisted
    expect(Date.parse(timeout.event!.timestamp)).toBeGreaterThanOrEqual(stoppedAt);
    expect(timeout.event).toMatchObject({
      source: 'timer',
      payload: { orderId: id, scheduleName, deadline, customerId: 'cust-timer-restart' },
    });
    await events.waitFor(id, 'PAYMENT_VOIDED', 30_000);

    const order = await sys.api.getOrder(id, 'cust-timer-restart');
    expect(order.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    // the order applied the timeout once, and the saga ran in order across the restart
    expect(order.body.history.filter((h) => h.type === 'ORDER_TIMEOUT')).toHaveLength(1);
    const all = events.all;
    for (const type of [
      'ORDER_CREATED',
      'PAYMENT_AUTHORIZED',
      'FUNDS_HELD',
      'TIMER_STARTED',
      'ORDER_TIMEOUT',
      'ORDER_CANCELLED',
      'FUNDS_REFUNDED',
      'PAYMENT_VOIDED',
    ]) {
      expect({ type, n: distinctIds(all, id, type).length }).toEqual({ type, n: 1 });
    }
    // the schedule fired once: one ORDER_TIMEOUT record on timer-events
    const records = (type: string) =>
      all.filter((e) => e.event?.type === type && e.event.correlationId === id);
    expect(records('ORDER_TIMEOUT')).toHaveLength(1);
    for (const type of ['ORDER_ACCEPTED', 'FUNDS_RELEASED', 'PAYMENT_CAPTURED', 'TIMER_CANCELLED'])
      expect({ type, n: records(type).length }).toEqual({ type, n: 0 });
    const seq = (type: string) => {
      const e = records(type)[0] as SeenEvent;
      return Date.parse(e.event!.timestamp);
    };
    expect(seq('ORDER_TIMEOUT')).toBeLessThanOrEqual(seq('ORDER_CANCELLED'));
    expect(seq('ORDER_CANCELLED')).toBeLessThanOrEqual(seq('FUNDS_REFUNDED'));
    expect(seq('FUNDS_REFUNDED')).toBeLessThanOrEqual(seq('PAYMENT_VOIDED'));

    // money balances: in the events ...
    const amount = (type: string) => Number(records(type)[0]!.event!.payload.amountCents);
    expect(amount('PAYMENT_AUTHORIZED')).toBe(1234);
    expect(amount('FUNDS_HELD')).toBe(1234);
    expect(amount('FUNDS_REFUNDED')).toBe(amount('FUNDS_HELD'));
    expect(amount('PAYMENT_VOIDED')).toBe(amount('PAYMENT_AUTHORIZED'));
    // ... and in the payment and escrow tables
    const payment = await stateOf(sys, 'PAYMENTS_TABLE', { pk: `PAYMENT#${id}`, sk: 'PAYMENT' });
    expect(payment).toMatchObject({
      status: 'VOIDED',
      authorizedCents: 1234,
      capturedCents: 0,
      voidedCents: 1234,
    });
    const hold = await stateOf(sys, 'ESCROW_TABLE', { pk: `HOLD#${id}`, sk: 'HOLD' });
    expect(hold).toMatchObject({
      status: 'REFUNDED',
      heldCents: 1234,
      releasedCents: 0,
      refundedCents: 1234,
    });
  }, 180_000);
});
