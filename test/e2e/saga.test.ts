/**
 * End to end, real processes and sockets: the runtime booted from the real cloud assembly (cdk.out), driven
 * over HTTP, observed on the broker. Scheduler time runs at real speed, so the dev profile's 15-minute
 * acceptance deadline never passes while a test accepts or cancels; the timeout test fast-forwards it by
 * firing the order's schedule through the runtime's local Scheduler control (what `campusg demo` does).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { withTool } from '../support/outside-tools';
import { type Booted, boot, EventCollector, ROOT, until } from './helpers';

const run = promisify(execFile);
const kcat = withTool('kcat');

/**
 * Fires an order's acceptance-deadline schedule now, through the Scheduler's normal firing path (local
 * control of the runtime's AWS API endpoint), and resolves once the fire function has run.
 */
async function fireDeadlineNow(sys: Booted, scheduleName: string): Promise<void> {
  const control = `${sys.runtime.endpoints.aws}/_campusg/scheduler`;
  const { pending } = (await (await fetch(`${control}/pending`)).json()) as {
    pending: { name: string; groupName: string }[];
  };
  const schedule = pending.find((p) => p.name === scheduleName);
  if (!schedule) throw new Error(`no pending schedule ${scheduleName}; pending: ${JSON.stringify(pending)}`);
  const res = await fetch(`${control}/fire`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: schedule.name, group: schedule.groupName }),
  });
  expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 200, body: { ok: true } });
}

async function awaitingRunner(sys: Booted, id: string, customerId: string): Promise<void> {
  await until(
    async () => (await sys.api.getOrder(id, customerId)).body.status === 'AWAITING_RUNNER',
    15_000,
    `${id} AWAITING_RUNNER`,
  );
}

/**
 * What the notification domain (shared/domain/notification/notification.ts, docs/events.md "Who is
 * notified") tells each side of an order, by source event type, for each way a saga ends.
 */
const NOTIFIED = {
  happy: {
    customer: [
      'ORDER_CREATED',
      'PAYMENT_AUTHORIZED',
      'FUNDS_HELD',
      'TIMER_STARTED',
      'ORDER_ACCEPTED',
      'ORDER_COMPLETED',
      'PAYMENT_CAPTURED',
    ],
    runner: ['ORDER_ACCEPTED', 'ORDER_COMPLETED', 'FUNDS_RELEASED'],
  },
  declined: { customer: ['ORDER_CREATED', 'PAYMENT_FAILED', 'ORDER_CANCELLED'], runner: [] },
  timeout: {
    customer: [
      'ORDER_CREATED',
      'PAYMENT_AUTHORIZED',
      'FUNDS_HELD',
      'TIMER_STARTED',
      'ORDER_TIMEOUT',
      'ORDER_CANCELLED',
      'FUNDS_REFUNDED',
      'PAYMENT_VOIDED',
    ],
    runner: [],
  },
  cancelled: {
    customer: [
      'ORDER_CREATED',
      'PAYMENT_AUTHORIZED',
      'FUNDS_HELD',
      'TIMER_STARTED',
      'ORDER_CANCELLED',
      'FUNDS_REFUNDED',
      'PAYMENT_VOIDED',
    ],
    runner: [],
  },
} as const;

/**
 * Asserts that the order's notifications are exactly the expected ones: the customer's and the runner's
 * (as each reads them over the API, each with its role) and the NOTIFICATION_SENT events on the broker, one
 * per notification, to those users only.
 */
async function expectNotifications(
  sys: Booted,
  events: EventCollector,
  orderId: string,
  customerId: string,
  expected: { readonly customer: readonly string[]; readonly runner: readonly string[] },
  runnerId?: string,
): Promise<void> {
  const sorted = (types: readonly string[]) => [...types].sort();
  const read = async (user: string, group: 'customers' | 'runners', want: number) =>
    until(
      async () => {
        const r = await sys.api.notifications(user, group);
        expect(r.status).toBe(200);
        const mine = r.body.notifications.filter((n) => n.orderId === orderId);
        return mine.length >= want && mine;
      },
      20_000,
      `${want} notifications of ${user} for ${orderId}`,
    );
  const customerNotes = await read(customerId, 'customers', expected.customer.length);
  expect(sorted(customerNotes.map((n) => n.sourceEventType))).toEqual(sorted(expected.customer));
  expect(new Set(customerNotes.map((n) => n.role))).toEqual(new Set(['customer']));
  if (runnerId) {
    const runnerNotes = expected.runner.length
      ? await read(runnerId, 'runners', expected.runner.length)
      : (await sys.api.notifications(runnerId, 'runners')).body.notifications.filter(
          (n) => n.orderId === orderId,
        );
    expect(sorted(runnerNotes.map((n) => n.sourceEventType))).toEqual(sorted(expected.runner));
    expect(runnerNotes.every((n) => n.role === 'runner')).toBe(true);
  }
  const total = expected.customer.length + expected.runner.length;
  const sent = await until(
    () => {
      const byId = new Map<string, Record<string, unknown>>();
      for (const e of events.of(orderId))
        if (e.event?.type === 'NOTIFICATION_SENT') byId.set(e.event.id, e.event.payload);
      return byId.size >= total && [...byId.values()];
    },
    20_000,
    `${total} NOTIFICATION_SENT for ${orderId}`,
  );
  const seen = (role: string) =>
    sorted(sent.filter((p) => p.role === role).map((p) => String(p.sourceEventType)));
  expect(seen('customer')).toEqual(sorted(expected.customer));
  expect(seen('runner')).toEqual(sorted(expected.runner));
  expect(sent.every((p) => p.userId === (p.role === 'customer' ? customerId : runnerId))).toBe(true);
}

const customer = (n: string) => ({ sub: `cust-${n}`, group: 'customers' as const });
const runner = (n: string) => ({ sub: `runner-${n}`, group: 'runners' as const });

describe('local runtime end to end (real cloud assembly)', () => {
  let sys: Booted;
  let events: EventCollector;

  beforeAll(async () => {
    sys = await boot({ timeScale: 1 });
    events = await new EventCollector(sys.runtime.endpoints.kafka).start();
  }, 180_000);

  afterAll(async () => {
    await events?.stop();
    await sys?.runtime.stop();
    if (sys) fs.rmSync(sys.stateDir, { recursive: true, force: true });
  });

  it('writes runtime.json with the endpoints', () => {
    const info = JSON.parse(fs.readFileSync(`${sys.stateDir}/runtime.json`, 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, endpoints: sys.runtime.endpoints });
  });

  it('happy path: created, authorized, held, timer, accepted, completed, captured; notifications and trace', async () => {
    const created = await sys.api.createOrder('cust-happy');
    expect(created.status).toBe(201);
    const id = created.body.orderId;
    await awaitingRunner(sys, id, 'cust-happy');

    const accepted = await sys.api.command(id, 'accept', runner('happy'));
    expect(accepted).toMatchObject({ status: 200, body: { status: 'ACCEPTED', runnerId: 'runner-happy' } });
    await events.waitFor(id, 'TIMER_CANCELLED');
    const completed = await sys.api.command(id, 'complete', runner('happy'));
    expect(completed).toMatchObject({ status: 200, body: { status: 'COMPLETED' } });
    await events.waitFor(id, 'FUNDS_RELEASED');
    const captured = await events.waitFor(id, 'PAYMENT_CAPTURED');
    expect(captured.event!.payload).toMatchObject({ amountCents: 900, runnerId: 'runner-happy' });

    const types = events.types(id);
    for (const t of [
      'ORDER_CREATED',
      'PAYMENT_AUTHORIZED',
      'FUNDS_HELD',
      'TIMER_STARTED',
      'ORDER_ACCEPTED',
      'TIMER_CANCELLED',
      'ORDER_COMPLETED',
      'FUNDS_RELEASED',
      'PAYMENT_CAPTURED',
    ]) {
      expect(types).toContain(t);
    }
    expect(types).not.toContain('ORDER_TIMEOUT');

    // every notification: the customer hears of each step, the runner of acceptance, completion and payout
    await expectNotifications(sys, events, id, 'cust-happy', NOTIFIED.happy, 'runner-happy');

    // the CLI's trace, in another process, finds the runtime through runtime.json
    const { stdout } = await run(
      'npx',
      ['tsx', 'local/cli/main.ts', 'trace', id, '--state-dir', sys.stateDir],
      {
        cwd: ROOT,
        timeout: 60_000,
      },
    );
    for (const t of [
      'ORDER_CREATED',
      'PAYMENT_AUTHORIZED',
      'FUNDS_HELD',
      'TIMER_STARTED',
      'ORDER_COMPLETED',
      'PAYMENT_CAPTURED',
    ]) {
      expect(stdout).toContain(t);
    }
  });

  it('payment declined: PAYMENT_FAILED, the order is cancelled, no hold and no timer', async () => {
    const created = await sys.api.createOrder('cust-declined', { totalCents: 60_000 });
    expect(created.status).toBe(201);
    const id = created.body.orderId;
    const failed = await events.waitFor(id, 'PAYMENT_FAILED');
    expect(failed.event!.payload).toMatchObject({ code: 'AMOUNT_OVER_LIMIT' });
    await events.waitFor(id, 'ORDER_CANCELLED');
    const order = await until(
      async () => {
        const o = await sys.api.getOrder(id, 'cust-declined');
        return o.body.status === 'CANCELLED' && o.body;
      },
      10_000,
      'CANCELLED',
    );
    expect(order.cancelReason).toBe('PAYMENT_FAILED');
    expect(events.types(id)).not.toContain('FUNDS_HELD');
    expect(events.types(id)).not.toContain('TIMER_STARTED');
    await expectNotifications(sys, events, id, 'cust-declined', NOTIFIED.declined);
  });

  it('timeout, fast-forwarded: ORDER_TIMEOUT, cancelled, refunded and voided', async () => {
    const created = await sys.api.createOrder('cust-timeout');
    const id = created.body.orderId;
    const started = await events.waitFor(id, 'TIMER_STARTED');
    expect(events.types(id)).not.toContain('ORDER_TIMEOUT');
    await fireDeadlineNow(sys, String(started.event!.payload.scheduleName));
    const timeout = await events.waitFor(id, 'ORDER_TIMEOUT');
    expect(timeout.event!.source).toBe('timer');
    const cancelled = await events.waitFor(id, 'ORDER_CANCELLED');
    expect(cancelled.event!.payload).toMatchObject({ reason: 'TIMEOUT' });
    const refunded = await events.waitFor(id, 'FUNDS_REFUNDED');
    const voided = await events.waitFor(id, 'PAYMENT_VOIDED');
    expect(refunded.event!.payload.amountCents).toBe(900);
    expect(voided.event!.payload.amountCents).toBe(900);
    const order = await sys.api.getOrder(id, 'cust-timeout');
    expect(order.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    await expectNotifications(sys, events, id, 'cust-timeout', NOTIFIED.timeout);
  }, 60_000);

  it('cancel before acceptance: cancelled by the customer, timer cancelled, refunded and voided', async () => {
    const created = await sys.api.createOrder('cust-cancel');
    const id = created.body.orderId;
    await awaitingRunner(sys, id, 'cust-cancel');
    const cancelled = await sys.api.command(id, 'cancel', customer('cancel'));
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'CANCELLED', cancelReason: 'CUSTOMER' } });
    await events.waitFor(id, 'TIMER_CANCELLED');
    await events.waitFor(id, 'FUNDS_REFUNDED');
    await events.waitFor(id, 'PAYMENT_VOIDED');
    const late = await sys.api.command(id, 'accept', runner('late'));
    expect(late.status).toBe(409);
    await expectNotifications(sys, events, id, 'cust-cancel', NOTIFIED.cancelled, 'runner-late');
  });

  it('a poison record lands in dead-letters and the saga behind it still completes', async () => {
    const kafka = new Kafka({
      clientId: 'e2e-poison',
      brokers: [sys.runtime.endpoints.kafka],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'order-events',
      messages: [{ key: 'poison-1', value: '{not json at all' }],
    });
    await producer.disconnect();

    const dead = await until(
      () => {
        const d = events.all.filter(
          (e) =>
            e.topic === 'dead-letters' &&
            e.value?.includes(Buffer.from('{not json at all').toString('base64')),
        );
        return d.length >= 1 && d;
      },
      20_000,
      'a dead letter for the poison record',
    );
    expect(dead[0]!.event).toMatchObject({
      type: 'DEAD_LETTER',
      payload: { reason: 'NOT_JSON', origin: { topic: 'order-events' } },
    });

    const created = await sys.api.createOrder('cust-after-poison');
    const id = created.body.orderId;
    await awaitingRunner(sys, id, 'cust-after-poison');
    expect((await sys.api.command(id, 'accept', runner('after-poison'))).status).toBe(200);
    expect((await sys.api.command(id, 'complete', runner('after-poison'))).status).toBe(200);
    await events.waitFor(id, 'PAYMENT_CAPTURED');
  });

  it('captures function output in log groups and ships it to system-logs', async () => {
    const api = sys.runtime.model.functions.find((f) => f.constructId === 'OrderApiFunction')!;
    const { events: lines } = sys.runtime.logs.filter({ logGroupName: api.logGroupName });
    expect(lines.some((l) => l.message.startsWith('START RequestId:'))).toBe(true);
    expect(lines.some((l) => l.message.startsWith('REPORT RequestId:'))).toBe(true);
    const kafka = new Kafka({
      clientId: 'e2e-logs',
      brokers: [sys.runtime.endpoints.kafka],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await until(
      async () => {
        const o = await admin.fetchTopicOffsets('system-logs');
        return o.reduce((n, p) => n + Number(p.high), 0) > 0 && o;
      },
      15_000,
      'records on system-logs',
    );
    await admin.disconnect();
    expect(offsets.length).toBe(3);
  });

  kcat.it('kcat lists the topics and reads the saga events', async () => {
    const broker = sys.runtime.endpoints.kafka;
    const meta = await run(kcat.command, ['-b', broker, '-L'], { timeout: 20_000 });
    for (const t of ['order-events', 'payment-events', 'escrow-events', 'timer-events', 'dead-letters']) {
      expect(meta.stdout).toContain(`topic "${t}"`);
    }
    const consumed = await run(
      kcat.command,
      ['-b', broker, '-C', '-t', 'payment-events', '-o', 'beginning', '-e', '-q'],
      {
        timeout: 20_000,
      },
    );
    expect(consumed.stdout).toContain('PAYMENT_AUTHORIZED');
  });

  // Runs last: every saga path above ran with each function's own credentials, checked against its role.
  it('runs every saga path under local IAM (enforce, the default) with zero denials', () => {
    expect(sys.runtime.iam?.mode).toBe('enforce');
    expect(sys.runtime.iam?.denials).toEqual([]);
  });
});
