/**
 * `npm run bench:saga`: how fast the local runtime carries orders through the saga.
 *
 * Boots the runtime from cdk.out (in memory, free ports), then
 *   1. baseline: the raw broker round trip (kafkajs produce -> consume) on the same broker, same run;
 *   2. low load: POST /orders at BENCH_LOW_RATE orders/s; per order the latency from the POST to its
 *      TIMER_STARTED on timer-events (p50, p90, p99) and where it goes, hop by hop (when each saga event was
 *      stamped by its function and when it was seen on its topic);
 *   3. increasing offered load: BENCH_RATES orders/s, BENCH_STEP_SECONDS each; per step the orders/s that
 *      reached TIMER_STARTED (completed / time from the step's first POST to its last TIMER_STARTED), the
 *      latency, and the CPU each part of the runtime used. Stops after the first saturated step.
 * Not a test: it prints numbers. Options (env): BENCH_LOW_RATE (5), BENCH_LOW_SECONDS (10), BENCH_RATES
 * ("25,50,100,200"), BENCH_STEP_SECONDS (10), BENCH_WARMUP (orders, 20), BENCH_CONCURRENCY (max POSTs in
 * flight, 64), BENCH_INSTANCES (processes per function, runtime default when unset).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureAssembly } from '../local/assembly';
import { LocalJwt } from '../local/http-api';
import { startRuntime } from '../local/runtime/runtime';
import { machineAtStart, machineLine, recordResults } from './support/record';

const ROOT = path.resolve(__dirname, '..');
const LOW_RATE = Number(process.env.BENCH_LOW_RATE ?? 5);
const LOW_SECONDS = Number(process.env.BENCH_LOW_SECONDS ?? 10);
const RATES = (process.env.BENCH_RATES ?? '25,50,100,200')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const INSTANCES = process.env.BENCH_INSTANCES ? Number(process.env.BENCH_INSTANCES) : undefined;

/** Saga events on the way to TIMER_STARTED, in order, with the topic each is published on. */
const HOPS = [
  ['ORDER_CREATED', 'order-events'],
  ['PAYMENT_AUTHORIZED', 'payment-events'],
  ['FUNDS_HELD', 'escrow-events'],
  ['TIMER_STARTED', 'timer-events'],
] as const;
type HopType = (typeof HOPS)[number][0];

// wall clock, like the `timestamp` the functions stamp on their events (performance.timeOrigin drifts from it)
const nowMs = () => Date.now();

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    const t = setInterval(
      () => producer.send({ topic: 'bench-rtt', messages: [{ key: 'probe', value: 'x' }] }),
      200,
    );
    waiting.set('probe', () => {
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
  return sortNum(samples);
}

// --- CPU per part of the runtime (Linux /proc; the bench client runs inside the runtime process) ------------

const CLK_TCK = 100;

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return undefined;
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  for (const d of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

const partOf = new Map<number, string>();
function classify(pid: number): string {
  const known = partOf.get(pid);
  if (known) return known;
  let part = 'other';
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmd.includes('dynalite')) part = 'dynalite';
    else if (cmd.includes('function-worker')) {
      const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const name = env.find((e) => e.startsWith('AWS_LAMBDA_FUNCTION_NAME='))?.split('=')[1] ?? '?';
      part = `fn ${name.replace(/^campusg-[a-z]+-/, '')}`;
    }
  } catch {
    // gone
  }
  partOf.set(pid, part);
  return part;
}

type CpuSnapshot = Map<number, number>;
function cpuSnapshot(): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  for (const pid of [process.pid, ...descendants(process.pid)]) {
    const t = cpuTicks(pid);
    if (t !== undefined) snap.set(pid, t);
  }
  return snap;
}

interface CpuUse {
  /** CPU milliseconds per part of the runtime over the interval, most first. */
  readonly parts: readonly { name: string; ms: number; procs: number }[];
  readonly totalMs: number;
  readonly seconds: number;
}

/** CPU time per part between two snapshots, and the number of processes of each part. */
function cpuUse(a: CpuSnapshot, b: CpuSnapshot, seconds: number): CpuUse {
  const parts = new Map<string, { ticks: number; procs: number }>();
  for (const [pid, t1] of b) {
    const part = pid === process.pid ? 'runtime (broker, ESMs, HTTP, bench client)' : classify(pid);
    const p = parts.get(part) ?? { ticks: 0, procs: 0 };
    p.ticks += t1 - (a.get(pid) ?? 0);
    p.procs++;
    parts.set(part, p);
  }
  const rows = [...parts.entries()]
    .map(([name, p]) => ({ name, ms: (p.ticks * 1000) / CLK_TCK, procs: p.procs }))
    .sort((x, y) => y.ms - x.ms);
  return { parts: rows, totalMs: rows.reduce((s, p) => s + p.ms, 0), seconds };
}

/**
 * CPU per order: all the CPU the runtime and its processes used over a load step, divided by the orders that
 * reached TIMER_STARTED in it (the bench client's share is inside "runtime" and is small next to the rest).
 */
function cpuPerOrder(use: CpuUse, orders: number): string {
  if (orders === 0) return '    cpu per order: no order finished';
  const per = (ms: number) => (ms / orders).toFixed(1);
  const top = use.parts
    .filter((p) => p.ms > 0)
    .slice(0, 4)
    .map((p) => `${p.name.replace(/ \(.*\)$/, '')} ${per(p.ms)}`)
    .join(', ');
  return `    cpu per order: ${per(use.totalMs)} ms (${top}, ...)`;
}

/** Percent of one core per part between two snapshots, and the number of processes of each part. */
function cpuReport(use: CpuUse): string {
  const pctOf = (ms: number) => ((ms / 1000 / use.seconds) * 100).toFixed(0);
  return [
    `    cpu: ${pctOf(use.totalMs)}% of one core in total (${os.cpus().length} cores)`,
    ...use.parts
      .filter((p) => p.ms > 0)
      .map(
        (p) => `      ${pctOf(p.ms).padStart(4)}%  ${p.name}${p.procs > 1 ? ` (${p.procs} processes)` : ''}`,
      ),
  ].join('\n');
}

// --- main -------------------------------------------------------------------------------------------------

interface OrderTimes {
  posted: number;
  /** When the 201 came back. */
  answered?: number;
  /** Per saga event: stamped by its function (`timestamp`), seen on its topic by the bench. */
  stamped: Partial<Record<HopType, number>>;
  seen: Partial<Record<HopType, number>>;
}

async function main(): Promise<void> {
  const machine = machineAtStart();
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
    writeStateFile: false,
    ...(INSTANCES ? { maxInstancesPerFunction: INSTANCES } : {}),
    printError: (l) => {
      if (/crash|error/i.test(l)) process.stderr.write(`${l}\n`);
    },
  });
  const out = (l: string) => process.stdout.write(`${l}\n`);
  out(`runtime up in ${Date.now() - bootStarted} ms (${rt.endpoints.kafka}, ${rt.endpoints.http})`);
  try {
    const rtt = await brokerRoundTrip(rt.endpoints.kafka, 300);
    out(
      `broker round trip (kafkajs produce -> consume, 300 sequential): p50 ${fmt(pct(rtt, 50))}  p99 ${fmt(pct(rtt, 99))}`,
    );

    const jwt = await LocalJwt.load(stateDir);
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => jwt.issueToken({ sub: `bench-${i}`, groups: ['customers'] })),
    );

    const orders = new Map<string, OrderTimes>();
    const kafka = new Kafka({
      clientId: 'bench-saga',
      brokers: [rt.endpoints.kafka],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `bench-saga-${process.pid}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: HOPS.map(([, topic]) => topic), fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 12,
      eachMessage: async ({ message }) => {
        const now = nowMs();
        try {
          const e = JSON.parse(String(message.value));
          const id = e.payload?.orderId;
          const type = e.type as HopType;
          if (typeof id !== 'string' || !HOPS.some(([t]) => t === type)) return;
          // events can arrive before the POST's answer
          let o = orders.get(id);
          if (!o) {
            o = { posted: Number.NaN, stamped: {}, seen: {} };
            orders.set(id, o);
          }
          if (o.seen[type] !== undefined) return;
          o.seen[type] = now;
          o.stamped[type] = Date.parse(e.timestamp);
        } catch {
          // not a saga event
        }
      },
    });
    // the bench's consumer owns its partitions before the first order
    await sleep(500);

    let inFlight = 0;
    let failures = 0;
    const post = async (i: number, ids: string[]) => {
      inFlight++;
      const posted = nowMs();
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
        if (res.status === 201 && body.orderId) {
          const o = orders.get(body.orderId);
          // the saga may already have been seen before the 201 arrived
          if (o) Object.assign(o, { posted, answered: nowMs() });
          else orders.set(body.orderId, { posted, answered: nowMs(), stamped: {}, seen: {} });
          ids.push(body.orderId);
        } else failures++;
      } catch {
        failures++;
      } finally {
        inFlight--;
      }
    };
    /** Offers `rate` orders/s for `seconds`, waits for their TIMER_STARTED (at most `drainMs`). */
    const runLoad = async (rate: number, seconds: number, drainMs: number) => {
      const ids: string[] = [];
      const total = Math.max(1, Math.round(rate * seconds));
      const cpu0 = cpuSnapshot();
      const start = nowMs();
      const posts: Promise<void>[] = [];
      let sent = 0;
      while (sent < total) {
        const wait = start + (sent * 1000) / rate - nowMs();
        if (wait > 0) await sleep(wait);
        if (inFlight >= CONCURRENCY) {
          await sleep(1);
          continue;
        }
        posts.push(post(sent, ids));
        sent++;
      }
      await Promise.all(posts);
      const postSeconds = (nowMs() - start) / 1000;
      const until = Date.now() + drainMs;
      const finished = () => ids.every((id) => orders.get(id)!.seen.TIMER_STARTED !== undefined);
      while (!finished() && Date.now() < until) await sleep(20);
      const cpu1 = cpuSnapshot();
      const done = ids.map((id) => orders.get(id)!).filter((o) => o.seen.TIMER_STARTED !== undefined);
      const lastDone = Math.max(...done.map((o) => o.seen.TIMER_STARTED!));
      const seconds_ = (lastDone - start) / 1000;
      const latency = sortNum(done.map((o) => o.seen.TIMER_STARTED! - o.posted));
      return {
        ids,
        total,
        done,
        postSeconds,
        seconds: seconds_,
        throughput: done.length / seconds_,
        latency,
        cpu: cpuUse(cpu0, cpu1, (nowMs() - start) / 1000),
      };
    };

    // warm-up: every function process of the saga path has run once
    await runLoad(WARMUP, 1, 30_000);

    // --- low load: latency and where it goes ----------------------------------------------------------------
    const low = await runLoad(LOW_RATE, LOW_SECONDS, 30_000);
    out('');
    out(
      `low load: ${LOW_RATE} orders/s for ${LOW_SECONDS} s, ${low.done.length}/${low.total} reached TIMER_STARTED`,
    );
    out(
      `  latency POST -> TIMER_STARTED: p50 ${fmt(pct(low.latency, 50))}  p90 ${fmt(pct(low.latency, 90))}  p99 ${fmt(pct(low.latency, 99))}  max ${fmt(low.latency.at(-1) ?? Number.NaN)}`,
    );
    const med = (xs: number[]) => pct(sortNum(xs), 50);
    const rows: [string, number][] = [];
    rows.push(['POST -> 201 answered', med(low.done.map((o) => o.answered! - o.posted))]);
    let prevSeen: (o: OrderTimes) => number = (o) => o.posted;
    for (const [type, topic] of HOPS) {
      const ps = prevSeen;
      const isFirst = type === 'ORDER_CREATED';
      rows.push([
        isFirst
          ? `POST -> ${type} stamped (HTTP -> invoke -> Get/Put ordering)`
          : `prev seen -> ${type} stamped (ESM fetch, invoke, reads)`,
        med(low.done.map((o) => o.stamped[type]! - ps(o))),
      ]);
      rows.push([
        `${type} stamped -> seen on ${topic} (put, publish, fetch)`,
        med(low.done.map((o) => o.seen[type]! - o.stamped[type]!)),
      ]);
      prevSeen = (o) => o.seen[type]!;
    }
    out('  where it goes (medians; stamps have 1 ms resolution):');
    for (const [name, ms] of rows) out(`    ${fmt(ms).padStart(9)}  ${name}`);
    out(cpuReport(low.cpu));
    out(cpuPerOrder(low.cpu, low.done.length));

    // --- increasing offered load --------------------------------------------------------------------------
    let best = { rate: 0, throughput: 0 };
    const steps: Record<string, unknown>[] = [];
    let limitedAt: number | undefined;
    for (const rate of RATES) {
      await sleep(2000); // the log pipeline's tail of the previous step
      const r = await runLoad(rate, STEP_SECONDS, 120_000);
      out('');
      out(
        `offered ${rate} orders/s for ${STEP_SECONDS} s (${r.total} orders, <= ${CONCURRENCY} POSTs in flight): POSTs took ${r.postSeconds.toFixed(1)} s, ${failures} failed so far`,
      );
      out(
        `  through the saga to TIMER_STARTED: ${r.done.length} orders in ${r.seconds.toFixed(1)} s = ${r.throughput.toFixed(1)} orders/s`,
      );
      out(
        `  latency: p50 ${fmt(pct(r.latency, 50))}  p90 ${fmt(pct(r.latency, 90))}  p99 ${fmt(pct(r.latency, 99))}  max ${fmt(r.latency.at(-1) ?? Number.NaN)}`,
      );
      out(cpuReport(r.cpu));
      out(cpuPerOrder(r.cpu, r.done.length));
      steps.push({
        rate,
        orders: r.done.length,
        throughput: r.throughput,
        p50: pct(r.latency, 50),
        p99: pct(r.latency, 99),
        cpuMsPerOrder: r.done.length ? r.cpu.totalMs / r.done.length : null,
      });
      if (r.throughput > best.throughput) best = { rate, throughput: r.throughput };
      if (r.throughput < rate * 0.85 || r.done.length < r.total) {
        limitedAt = rate;
        break;
      }
    }
    out('');
    out(
      `summary: sustained ${best.throughput.toFixed(1)} orders/s (aim 200)${limitedAt ? `; saturated at ${limitedAt} orders/s offered` : ''}; low-load p50 ${fmt(pct(low.latency, 50))} (aim < 50 ms), p99 ${fmt(pct(low.latency, 99))}; broker round trip p50 ${fmt(pct(rtt, 50))}`,
    );
    const lowCpuPerOrder = low.done.length ? low.cpu.totalMs / low.done.length : Number.NaN;
    out(
      `cpu per order at ${LOW_RATE} orders/s: ${lowCpuPerOrder.toFixed(1)} ms (all processes of the runtime, per order that reached TIMER_STARTED)`,
    );
    out(machineLine(machine));
    const file = recordResults('saga', machine, {
      low: {
        rate: LOW_RATE,
        orders: low.done.length,
        p50: pct(low.latency, 50),
        p99: pct(low.latency, 99),
        cpuMsPerOrder: lowCpuPerOrder,
        cpuParts: low.cpu.parts,
      },
      steps,
      sustained: best.throughput,
      saturatedAt: limitedAt ?? null,
      brokerRoundTripP50: pct(rtt, 50),
    });
    out(`recorded in ${path.relative(ROOT, file)}`);
    await consumer.disconnect();
  } finally {
    await rt.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
