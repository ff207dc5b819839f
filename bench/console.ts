/**
 * `npm run bench:console`: the web console under load, two numbers the issue asks for (issue 13).
 *
 * Boots the runtime from cdk.out (in memory, free ports) and a console against it, then
 *   1. history: feeds the console's index a synthetic history of BENCH_ORDERS (10,000) orders, each with the
 *      events a timed-out saga has (12 records across the topics), plus dead letters; then calls every GET
 *      endpoint BENCH_CALLS times and prints p50 / p99 per endpoint (goal: p99 under 200 ms);
 *   2. throughput: the same runtime carries BENCH_SAGA_ORDERS orders to TIMER_STARTED (BENCH_CONCURRENCY
 *      POSTs in flight) with no console client, then with an "open console" (the UI's feeds and polls: the
 *      saga and log streams, /api/overview every 3 s, /api/orders every 2 s), alternating A B A B so drift
 *      hits both; prints orders/s of each and the change (goal: under 5%). BENCH_SAGA_ORDERS=0 skips it.
 * Not a test: it prints numbers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureAssembly } from '../local/assembly';
import { startConsole } from '../local/console';
import { LocalJwt } from '../local/http-api';
import { startRuntime } from '../local/runtime/runtime';
import { machineAtStart, machineLine, recordResults } from './support/record';

const ROOT = path.resolve(__dirname, '..');
const ORDERS = Number(process.env.BENCH_ORDERS ?? 10_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 100);
const SAGA_ORDERS = Number(process.env.BENCH_SAGA_ORDERS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** The events of one timed-out saga, as (topic, type, source, payload) in order. */
function history(orderId: string, i: number) {
  const customerId = `cust-${i % 500}`;
  // valid events (the console counts an invalid one for nothing, as the services dead-letter it)
  const money = { orderId, customerId, totalCents: 900, amountCents: 900 };
  const ids = { paymentId: `pay_${orderId}`, holdId: `hold_${orderId}` };
  const timer = {
    orderId,
    customerId,
    scheduleName: `accept-${orderId}`,
    deadline: new Date().toISOString(),
  };
  const note = (n: number, title: string) => ({
    notificationId: `note_${orderId}_${n}`,
    orderId,
    userId: customerId,
    role: 'customer',
    channel: 'in-app',
    title,
    message: title,
    sourceEventId: `${orderId}-${n}`,
    sourceEventType: 'ORDER_CREATED',
  });
  return [
    [
      'order-events',
      'ORDER_CREATED',
      'order',
      {
        ...money,
        items: [{ name: 'Iced latte', quantity: 1 + (i % 3), unitPriceCents: 300 }],
        deliveryLocation: 'Library',
        paymentMethod: 'tok_visa',
      },
    ],
    ['payment-events', 'PAYMENT_AUTHORIZED', 'payment', { ...money, paymentId: ids.paymentId }],
    ['escrow-events', 'FUNDS_HELD', 'escrow', { ...money, ...ids }],
    ['timer-events', 'TIMER_STARTED', 'timer', timer],
    ['timer-events', 'ORDER_TIMEOUT', 'timer', timer],
    ['order-events', 'ORDER_CANCELLED', 'order', { ...money, reason: 'TIMEOUT' }],
    ['escrow-events', 'FUNDS_REFUNDED', 'escrow', { ...money, ...ids, reason: 'TIMEOUT' }],
    [
      'payment-events',
      'PAYMENT_VOIDED',
      'payment',
      { ...money, paymentId: `pay_${orderId}`, reason: 'refunded' },
    ],
    ['notification-events', 'NOTIFICATION_SENT', 'notification', note(0, 'Order placed')],
    ['notification-events', 'NOTIFICATION_SENT', 'notification', note(1, 'No runner found')],
    ['notification-events', 'NOTIFICATION_SENT', 'notification', note(2, 'Order cancelled')],
    ['notification-events', 'NOTIFICATION_SENT', 'notification', note(3, 'Refund issued')],
  ] as const;
}

async function main(): Promise<void> {
  const machine = machineAtStart();
  const results: { endpoints: { path: string; p50: number; p99: number }[]; throughput?: unknown } = {
    endpoints: [],
  };
  await ensureAssembly({ cwd: ROOT, assemblyDir: path.join(ROOT, 'cdk.out'), log: () => {} });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-bench-console-'));
  const runtime = await startRuntime({
    cwd: ROOT,
    synth: false,
    kafkaPort: 0,
    httpPort: 0,
    awsPort: 0,
    quiet: true,
    stateDir,
    writeStateFile: false,
  });
  const jwt = await LocalJwt.load(stateDir);
  const con = await startConsole({
    port: 0,
    root: ROOT,
    model: runtime.model,
    endpoints: runtime.endpoints,
    logStore: runtime.logs,
    mappings: [],
    jwt,
  });
  try {
    // --- 1. endpoints under a history -----------------------------------------------------------------------
    const offsets = new Map<string, number>();
    const started = Date.now();
    for (let i = 0; i < ORDERS; i++) {
      const orderId = `bench-${i}`;
      for (const [topic, type, source, payload] of history(orderId, i)) {
        const partition = 100 + (i % 3); // apart from the real partitions, whose records keep arriving
        const key = `${topic}/${partition}`;
        const offset = offsets.get(key) ?? 1_000_000;
        offsets.set(key, offset + 1);
        con.store.add({
          topic,
          partition,
          offset,
          timestamp: started + i,
          key: orderId,
          headers: {},
          value: JSON.stringify({
            id: `${orderId}-${type}-${offset}`,
            type,
            timestamp: new Date(started + i).toISOString(),
            source,
            correlationId: orderId,
            payload,
          }),
        });
      }
    }
    for (let i = 0; i < 200; i++) {
      const value = Buffer.from('{broken').toString('base64');
      con.store.add({
        topic: 'dead-letters',
        partition: 0,
        offset: 1_000_000 + i,
        timestamp: Date.now(),
        key: `bench-${i}`,
        headers: {},
        value: JSON.stringify({
          id: `dl-${i}`,
          type: 'DEAD_LETTER',
          timestamp: new Date().toISOString(),
          source: 'payment',
          correlationId: `bench-${i}`,
          payload: {
            reason: 'NOT_JSON',
            error: 'not JSON',
            consumer: 'payment',
            origin: { topic: 'order-events', partition: 0, offset: i },
            key: null,
            value,
          },
        }),
      });
    }
    console.log(
      `history: ${ORDERS} orders (${ORDERS * 12} records) and 200 dead letters indexed in ${Date.now() - started} ms`,
    );
    const endpoints = [
      '/api/overview',
      '/api/orders',
      '/api/orders?status=CANCELLED&customer=cust-7',
      `/api/orders/bench-${Math.floor(ORDERS / 2)}`,
      '/api/topics',
      '/api/topics/order-events/messages?limit=50',
      '/api/topics/order-events/messages?limit=50&type=ORDER_CREATED&orderId=bench-9999',
      `/api/topics/order-events/messages?limit=50&jsonPath=${encodeURIComponent('$.items[?(@.quantity == 3)]')}`,
      '/api/dead-letters',
      '/api/schedules',
      '/api/logs?limit=200',
      '/api/logs/stats',
      '/api/mappings',
    ];
    console.log(`\n${'endpoint'.padEnd(86)} p50 ms   p99 ms`);
    let worst = 0;
    for (const e of endpoints) {
      const times: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const t0 = performance.now();
        const res = await fetch(`${con.url}${e}`);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${e} answered ${res.status}`);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      worst = Math.max(worst, pct(times, 99));
      results.endpoints.push({ path: e, p50: pct(times, 50), p99: pct(times, 99) });
      console.log(
        `${e.padEnd(86)} ${pct(times, 50).toFixed(1).padStart(6)}   ${pct(times, 99).toFixed(1).padStart(6)}`,
      );
    }
    console.log(
      `worst p99 ${worst.toFixed(1)} ms (goal: under 200 ms) -> ${worst < 200 ? 'met' : 'NOT met'}`,
    );

    // --- 2. saga throughput with and without an open console ------------------------------------------------
    if (SAGA_ORDERS <= 0) return;
    const token = await jwt.issueToken({ sub: 'bench-customer', groups: ['customers'] });
    const waiting = new Map<string, () => void>();
    con.store.subscribe((e) => {
      if (e.kind === 'saga' && e.event.type === 'TIMER_STARTED')
        waiting.get(String(e.event.correlationId))?.();
    });
    const oneOrder = async () => {
      const res = await fetch(`${runtime.endpoints.http}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          items: [{ name: 'Tea', quantity: 1, unitPriceCents: 300 }],
          deliveryLocation: 'Lab',
          paymentMethod: 'tok_visa',
        }),
      });
      const { orderId } = (await res.json()) as { orderId: string };
      await new Promise<void>((resolve) => {
        if (con.store.order(orderId)?.status === 'AWAITING_RUNNER') resolve();
        waiting.set(orderId, resolve);
      });
      waiting.delete(orderId);
    };
    const run = async () => {
      const t0 = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < SAGA_ORDERS) {
            next++;
            await oneOrder();
          }
        }),
      );
      return SAGA_ORDERS / ((Date.now() - t0) / 1000);
    };
    const openConsole = () => {
      const ac = new AbortController();
      for (const feed of ['/api/stream', '/api/logs/stream'])
        void fetch(`${con.url}${feed}`, { signal: ac.signal })
          .then(async (r) => {
            const reader = r.body!.getReader();
            for (;;) if ((await reader.read()).done) return;
          })
          .catch(() => undefined);
      const polls = [
        setInterval(
          () =>
            void fetch(`${con.url}/api/overview`)
              .then((r) => r.arrayBuffer())
              .catch(() => undefined),
          3000,
        ),
        setInterval(
          () =>
            void fetch(`${con.url}/api/orders`)
              .then((r) => r.arrayBuffer())
              .catch(() => undefined),
          2000,
        ),
      ];
      return () => {
        ac.abort();
        for (const p of polls) clearInterval(p);
      };
    };
    await run(); // warm-up
    const closed: number[] = [];
    const open: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      closed.push(await run());
      const close = openConsole();
      await sleep(200);
      open.push(await run());
      close();
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const change = ((mean(open) - mean(closed)) / mean(closed)) * 100;
    results.throughput = { closed, open, changePercent: change };
    console.log(
      `\nsaga throughput (${SAGA_ORDERS} orders to TIMER_STARTED, ${CONCURRENCY} in flight, ${ROUNDS} rounds each):` +
        `\n  console closed ${closed.map((x) => x.toFixed(2)).join(', ')} orders/s` +
        `\n  console open   ${open.map((x) => x.toFixed(2)).join(', ')} orders/s` +
        `\n  change ${change.toFixed(1)}% (goal: less than 5% slower) -> ${change > -5 ? 'met' : 'NOT met'}`,
    );
  } finally {
    console.log(machineLine(machine));
    console.log(`recorded in ${path.relative(ROOT, recordResults('console', machine, results))}`);
    await con.stop();
    await runtime.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
