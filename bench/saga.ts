/**
 * `npm run bench:saga`: how fast the local runtime carries orders through the saga.
 *
 * Boots the runtime from cdk.out (in memory, free ports), then
 *   1. baseline: the raw broker round trip (kafkajs produce -> consume) on the same broker, same run;
 *   2. sustained load: POST /orders at a fixed offered rate for a while; per order the latency from the
 *      POST to its TIMER_STARTED on timer-events (p50, p99), and the completed orders/s.
 * Not a test: it prints numbers. Options (env): BENCH_RATE (orders/s offered, default 200), BENCH_SECONDS
 * (default 15), BENCH_WARMUP (orders, default 20), BENCH_CONCURRENCY (max POSTs in flight, default 64).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { LocalJwt } from '../local/http-api';
import { ensureAssembly } from '../local/runtime/assembly';
import { startRuntime } from '../local/runtime/runtime';

const ROOT = path.resolve(__dirname, '..');
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function fmt(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

async function brokerRoundTrip(brokers: string, n: number): Promise<number[]> {
  const kafka = new Kafka({ clientId: 'bench-rtt', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'bench-rtt', numPartitions: 1 }] });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `bench-rtt-${process.pid}`, maxWaitTimeInMs: 100 });
  const producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: 'bench-rtt', fromBeginning: false });
  const waiting = new Map<string, (t: number) => void>();
  await consumer.run({
    eachMessage: async ({ message }) => {
      waiting.get(String(message.key))?.(performance.now());
    },
  });
  // wait for the group to own the partition
  await new Promise<void>((resolve) => {
    const key = 'probe';
    waiting.set(key, () => resolve());
    const t = setInterval(() => producer.send({ topic: 'bench-rtt', messages: [{ key, value: 'x' }] }), 200);
    waiting.set(key, () => {
      clearInterval(t);
      resolve();
    });
  });
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = `k${i}`;
    const started = performance.now();
    const done = new Promise<number>((resolve) => waiting.set(key, resolve));
    await producer.send({ topic: 'bench-rtt', messages: [{ key, value: 'x'.repeat(300) }] });
    samples.push((await done) - started);
    waiting.delete(key);
  }
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  return samples.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  await ensureAssembly({ cwd: ROOT, assemblyDir: path.join(ROOT, 'cdk.out') });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-bench-'));
  const bootStarted = Date.now();
  const rt = await startRuntime({
    cwd: ROOT,
    synth: false,
    kafkaPort: 0,
    httpPort: 0,
    awsPort: 0,
    quiet: true,
    stateDir,
    printError: (l) => {
      if (/crash|error/i.test(l)) process.stderr.write(`${l}\n`);
    },
  });
  process.stdout.write(
    `runtime up in ${Date.now() - bootStarted} ms (${rt.endpoints.kafka}, ${rt.endpoints.http})\n`,
  );
  try {
    const rtt = await brokerRoundTrip(rt.endpoints.kafka, 300);
    process.stdout.write(
      `broker round trip (kafkajs produce -> consume, 300 sequential): p50 ${fmt(pct(rtt, 50))}  p99 ${fmt(pct(rtt, 99))}\n`,
    );

    const jwt = await LocalJwt.load(stateDir);
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => jwt.issueToken({ sub: `bench-${i}`, groups: ['customers'] })),
    );

    const started = new Map<string, number>();
    const latency: number[] = [];
    const doneAt: number[] = [];
    const kafka = new Kafka({
      clientId: 'bench-timer',
      brokers: [rt.endpoints.kafka],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `bench-timer-${process.pid}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'timer-events', fromBeginning: true });
    const seen = new Set<string>();
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ message }) => {
        const now = performance.now();
        try {
          const e = JSON.parse(String(message.value));
          if (e.type !== 'TIMER_STARTED') return;
          const id = e.payload.orderId as string;
          const t0 = started.get(id);
          if (t0 !== undefined && !seen.has(id)) {
            seen.add(id);
            latency.push(now - t0);
            doneAt.push(now);
          }
        } catch {
          // not a saga event
        }
      },
    });

    let inFlight = 0;
    let failures = 0;
    const post = async (i: number) => {
      inFlight++;
      const t0 = performance.now();
      try {
        const res = await fetch(`${rt.endpoints.http}/orders`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokens[i % tokens.length]}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            items: [{ name: 'Iced latte', quantity: 1, unitPriceCents: 450 }],
            deliveryLocation: 'Library L2',
            paymentMethod: 'tok_visa',
          }),
        });
        const body = (await res.json()) as { orderId?: string };
        if (res.status === 201 && body.orderId) started.set(body.orderId, t0);
        else failures++;
      } catch {
        failures++;
      } finally {
        inFlight--;
      }
    };

    // warm-up: every function process of the saga path has run once
    await Promise.all(Array.from({ length: WARMUP }, (_, i) => post(i)));
    const warm = started.size;
    const warmEnd = Date.now() + 30_000;
    while (seen.size < warm && Date.now() < warmEnd) await new Promise((r) => setTimeout(r, 50));
    latency.length = 0;
    doneAt.length = 0;

    // sustained offered load
    const total = Math.round(RATE * SECONDS);
    const loadStart = performance.now();
    let sent = 0;
    const posts: Promise<void>[] = [];
    while (sent < total) {
      const due = loadStart + (sent * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (inFlight >= CONCURRENCY) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      posts.push(post(WARMUP + sent));
      sent++;
    }
    await Promise.all(posts);
    const sendSeconds = (performance.now() - loadStart) / 1000;
    const expected = started.size;
    const drainEnd = Date.now() + 120_000;
    while (seen.size < expected && Date.now() < drainEnd) await new Promise((r) => setTimeout(r, 50));
    const lastDone = Math.max(...doneAt);
    const seconds = (lastDone - loadStart) / 1000;
    latency.sort((a, b) => a - b);
    await consumer.disconnect();

    const completed = latency.length;
    process.stdout.write(
      [
        `offered ${RATE} orders/s for ${SECONDS} s (${total} orders, <= ${CONCURRENCY} POSTs in flight); POSTs took ${sendSeconds.toFixed(1)} s, ${failures} failed`,
        `through the saga to TIMER_STARTED: ${completed} orders in ${seconds.toFixed(1)} s = ${(completed / seconds).toFixed(1)} orders/s sustained`,
        `latency POST -> TIMER_STARTED: p50 ${fmt(pct(latency, 50))}  p90 ${fmt(pct(latency, 90))}  p99 ${fmt(pct(latency, 99))}  max ${fmt(latency.at(-1) ?? Number.NaN)}`,
        `cores: ${os.cpus().length}, load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    await rt.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
