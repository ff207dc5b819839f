import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Kafka } from 'kafkajs';
import {
  capacityOf,
  costAt,
  type OrderUsage,
  PROFILE_DESCRIPTIONS,
  PROFILES,
  type ProfileName,
  profileFacts,
} from '#infra/cost/model';
import { DEFAULT_PRICES, PRICES_SOURCE, type PriceTable, withPriceOverrides } from '#infra/cost/prices';
import { type DeploymentFacts, readDeploymentFacts } from '#infra/cost/template';
import { readToEnd, withAdmin } from '#local/inspect/kafka-read';
import { type SagaEvent, SagaWatcher } from '#local/inspect/saga';
import { ApiError, OrderApiClient } from '../api-client';
import { type DynamoDbMeter, ITEM_STORAGE_OVERHEAD, LogMeter, startDynamoDbMeter } from '../cost-meter';
import {
  action,
  CliError,
  collect,
  EXIT,
  type ExitCode,
  type Io,
  jsonOption,
  line,
  positiveInt,
  printJson,
  processIo,
  table,
  UsageError,
} from '../output';
import { LocalTarget } from '../target';
import { fireScheduleNow } from './demo';

/**
 * `campusg cost`: what one order uses, measured, and what that costs on AWS.
 *
 * It starts its own local runtime (free ports, state in a temp dir) with a DynamoDB meter in front of
 * dynalite and a meter on the log capture, warms every function with one order of each fate, then runs
 * `--orders` orders of each fate (completed, declined, timed out, the deadline fast-forwarded; cancelled),
 * waits until the system is quiet and divides what was counted by the orders: invocations and billed
 * milliseconds per function, records and bytes per topic, DynamoDB request units per table, Scheduler calls,
 * HTTP requests, log bytes. That bill goes through the cost and capacity model (infra/cost/model.ts) with
 * the deployment's shape from cdk.out, for each profile. `--usage <file>` skips the run and prices a saved
 * bill (`--save-usage` writes one).
 */

export interface CostFlags {
  readonly rate?: string;
  readonly orders?: number;
  readonly usage?: string;
  readonly saveUsage?: string;
  readonly prices?: string;
  readonly assembly?: string;
  readonly profile?: string[];
  readonly json?: boolean;
  readonly timeout?: number;
}

export function register(program: Command, io: Io = processIo): void {
  jsonOption(
    program
      .command('cost')
      .description(
        'measure what one order uses on the local runtime, then the AWS cost per 1,000 orders, per month at --rate and the ceiling, for each profile',
      )
      .option('--rate <orders/s>', 'order rate the monthly cost is computed for', '10')
      .option('--orders <n>', 'orders of each fate to measure', positiveInt('--orders'), 3)
      .option('--usage <file>', 'price a saved per-order bill (JSON from --save-usage) instead of measuring')
      .option('--save-usage <file>', 'write the measured per-order bill to this file')
      .option(
        '--prices <file>',
        'JSON object overriding prices of infra/cost/prices.ts, e.g. {"lambdaEpuHour": 0.2}',
      )
      .option('--assembly <dir>', 'the synthesized cloud assembly to read the deployment from', 'cdk.out')
      .option(
        '--profile <name>',
        `a profile to price (repeatable): ${PROFILES.join(', ')}; default all`,
        collect,
      )
      .option(
        '--timeout <seconds>',
        'give up measuring after this many seconds',
        positiveInt('--timeout'),
        180,
      ),
  ).action(action(io, async (opts: CostFlags) => cost(opts, io)));
}

export function parseRate(value: string | undefined): number {
  const n = Number(value ?? '10');
  if (value !== undefined && (value.trim() === '' || !Number.isFinite(n) || n <= 0)) {
    throw new UsageError(`--rate must be a number of orders per second > 0, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function parseProfiles(values: readonly string[] | undefined): ProfileName[] {
  if (!values || values.length === 0) return [...PROFILES];
  for (const v of values) {
    if (!(PROFILES as readonly string[]).includes(v)) {
      throw new UsageError(`unknown profile ${JSON.stringify(v)}: use one of ${PROFILES.join(', ')}`);
    }
  }
  return values as ProfileName[];
}

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} ${file} is not JSON: ${(err as Error).message}`);
  }
}

export function loadPrices(file: string | undefined): PriceTable {
  if (!file) return DEFAULT_PRICES;
  try {
    return withPriceOverrides(readJsonFile(file, 'price file'));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
}

export function loadUsage(file: string): OrderUsage {
  const u = readJsonFile(file, 'usage file') as Partial<OrderUsage> | null;
  const missing = ['orders', 'functions', 'topics', 'tables', 'scheduler', 'httpRequests', 'logs'].filter(
    (k) => !u || typeof u !== 'object' || !(k in u),
  );
  if (missing.length > 0) {
    throw new UsageError(
      `usage file ${file} lacks ${missing.join(', ')}: write one with \`campusg cost --save-usage ${file}\``,
    );
  }
  return u as OrderUsage;
}

export async function cost(opts: CostFlags, io: Io, cwd = process.cwd()): Promise<ExitCode> {
  const rate = parseRate(opts.rate);
  const profiles = parseProfiles(opts.profile);
  const prices = loadPrices(opts.prices);
  const assembly = path.resolve(cwd, opts.assembly ?? 'cdk.out');
  let facts: DeploymentFacts;
  try {
    facts = readDeploymentFacts(assembly);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const usage = opts.usage
    ? loadUsage(path.resolve(cwd, opts.usage))
    : await measure({
        cwd,
        assembly,
        perFate: opts.orders ?? 3,
        timeoutMs: (opts.timeout ?? 180) * 1000,
        io,
        quiet: !!opts.json,
      });
  if (opts.saveUsage)
    fs.writeFileSync(path.resolve(cwd, opts.saveUsage), `${JSON.stringify(usage, null, 2)}\n`);

  const results = profiles.map((p) => {
    const f = profileFacts(facts, p);
    return {
      profile: p,
      description: PROFILE_DESCRIPTIONS[p],
      cost: costAt(usage, f, prices, rate, p),
      capacity: capacityOf(usage, f, p),
    };
  });
  if (opts.json) {
    printJson(io, { usage, prices: { source: PRICES_SOURCE, table: prices }, rate, profiles: results });
    return EXIT.OK;
  }
  printReport(io, usage, rate, results);
  return EXIT.OK;
}

const usd = (n: number): string =>
  n >= 100 ? `$${n.toLocaleString('en-US', { maximumFractionDigits: 0 })}` : `$${n.toFixed(n >= 1 ? 2 : 4)}`;
const num = (n: number, digits = 2): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });

export function printReport(
  io: Io,
  usage: OrderUsage,
  rate: number,
  results: readonly {
    profile: string;
    description: string;
    cost: ReturnType<typeof costAt>;
    capacity: ReturnType<typeof capacityOf>;
  }[],
): void {
  const mix = Object.entries(usage.mix)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  line(io, `Per-order bill of resources (measured: ${usage.orders} orders: ${mix}; ${usage.source})`);
  line(io);
  const fnRows = Object.entries(usage.functions).map(([id, f]) => [
    `  ${id}`,
    num(f.invocations),
    num(f.billedMs, 1),
  ]);
  for (const l of table([['  function', 'invocations', 'billed ms'], ...fnRows])) line(io, l);
  line(
    io,
    "  (billed ms are the local runtime's REPORT durations on this machine; they stand in for Lambda's, and the\n" +
      "  'partitions x invocation time' ceilings below scale inversely with them: measure on a quiet machine)",
  );
  line(io);
  const topicRows = Object.entries(usage.topics).map(([t, u]) => [`  ${t}`, num(u.records), num(u.bytes, 0)]);
  for (const l of table([['  topic', 'records', 'bytes'], ...topicRows])) line(io, l);
  line(io);
  const tableRows = Object.entries(usage.tables).map(([t, u]) => [
    `  ${t}`,
    num(u.wru),
    num(u.rru),
    num(u.storedBytes, 0),
    u.hotKey ? `${u.hotKey.key} (${num(u.hotKey.wru)} WRU)` : '',
  ]);
  for (const l of table([['  table', 'WRU', 'RRU', 'stored bytes', 'busiest key'], ...tableRows]))
    line(io, l);
  line(io);
  line(
    io,
    `  Scheduler: ${num(usage.scheduler.creates)} CreateSchedule, ${num(usage.scheduler.deletes)} DeleteSchedule, ${num(usage.scheduler.invocations)} invocations; HTTP API: ${num(usage.httpRequests)} requests; logs: ${num(usage.logs.events)} events, ${num(usage.logs.bytes, 0)} bytes`,
  );
  line(io);
  line(io, `Prices: ${PRICES_SOURCE}.`);
  for (const r of results) {
    const c = r.cost;
    line(io);
    line(
      io,
      `== profile ${r.profile} (${r.description}) at ${num(rate)} orders/s (${num(c.ordersPerMonth, 0)} orders a month)`,
    );
    line(io, `  fixed: ${usd(c.fixedMonthlyUsd)} a month`);
    for (const l of c.lines.filter((x) => x.kind === 'fixed'))
      line(io, `    ${l.item.padEnd(58)} ${usd(l.monthlyUsd)}`);
    line(
      io,
      `  per order: ${usd(c.variablePer1000Usd)} per 1,000 orders -> ${usd(c.perOrderMonthlyUsd)} a month`,
    );
    for (const l of c.lines.filter((x) => x.kind === 'per-order'))
      line(io, `    ${l.item.padEnd(58)} ${usd(l.monthlyUsd)}`);
    line(
      io,
      `  total: ${usd(c.totalMonthlyUsd)} a month; ${usd(c.allInPer1000Usd)} per 1,000 orders all-in${c.unknownPrices.length ? ` (no price for: ${c.unknownPrices.join(', ')})` : ''}`,
    );
    const cap = r.capacity;
    line(io, `  ceiling: ${num(cap.maxOrdersPerSecond, 1)} orders/s, limited first by ${cap.firstLimit}`);
    for (const l of cap.limits.slice(0, 5))
      line(io, `    ${num(l.maxOrdersPerSecond, 1).padStart(9)} orders/s  ${l.name}: ${l.detail}`);
    for (const s of cap.toScale) {
      line(io, `  for ${s.factor}x (${num(s.target, 0)} orders/s):`);
      for (const ch of s.changes) line(io, `    - ${ch}`);
    }
  }
}

// ------------------------------------------------------------------------------------------------------------
// Measuring
// ------------------------------------------------------------------------------------------------------------

const FATES = ['completed', 'declined', 'timed out', 'cancelled'] as const;
type Fate = (typeof FATES)[number];

/** What each fate waits for before the order counts as done (the quiet period catches the stragglers). */
const DONE: Record<Fate, string[]> = {
  completed: ['FUNDS_RELEASED', 'PAYMENT_CAPTURED'],
  declined: ['PAYMENT_FAILED'],
  'timed out': ['ORDER_TIMEOUT', 'PAYMENT_VOIDED'],
  cancelled: ['ORDER_CANCELLED', 'PAYMENT_VOIDED'],
};

interface MeasureOptions {
  readonly cwd: string;
  readonly assembly: string;
  readonly perFate: number;
  readonly timeoutMs: number;
  readonly io: Io;
  readonly quiet: boolean;
}

async function measure(o: MeasureOptions): Promise<OrderUsage> {
  // Loaded here: `campusg cost --usage` never starts the runtime or its dependencies.
  const { startRuntime } = require('#local/runtime/runtime') as typeof import('#local/runtime/runtime');
  const { startDynalite } = require('#local/runtime/dynamo') as typeof import('#local/runtime/dynamo');
  const say = (text: string) => {
    if (!o.quiet) o.io.err.write(`${text}\n`);
  };
  const deadline = Date.now() + o.timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-cost-'));
  const dynamo = await startDynalite({ port: 0 });
  let meter: DynamoDbMeter | undefined;
  let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
  let watcher: SagaWatcher | undefined;
  try {
    meter = await startDynamoDbMeter(dynamo.endpoint);
    say('starting a local runtime on free ports to measure one order of each fate...');
    runtime = await startRuntime({
      cwd: o.cwd,
      assemblyDir: o.assembly,
      synth: false,
      kafkaPort: 0,
      httpPort: 0,
      awsPort: 0,
      dynamodbEndpoint: meter.endpoint,
      quiet: true,
      stateDir,
      print: () => {},
      printError: () => {},
    });
    const logs = new LogMeter();
    runtime.logs.subscribe((group, _stream, events) => logs.observe(group, events));
    const target = new LocalTarget({ stateDir }, process.env, o.cwd);
    const api = new OrderApiClient(target);
    const kafka = await target.kafka('campusg-cost');
    watcher = await SagaWatcher.start(kafka);
    const w = watcher;
    const run = Math.random().toString(36).slice(2, 8);
    let n = 0;
    /** Ids of the orders and users this run made: a key naming one is that order's or user's, not shared. */
    const ids = new Set<string>();

    const place = async (fate: Fate): Promise<void> => {
      const i = n++;
      const customer = { role: 'customer' as const, id: `cost-customer-${run}-${i}` };
      const runner = { role: 'runner' as const, id: `cost-runner-${run}-${i}` };
      const order = await api.create(
        customer,
        {
          items: [{ name: 'flat white', quantity: 2, unitPriceCents: fate === 'declined' ? 40_000 : 350 }],
          deliveryLocation: 'Library, 2nd floor',
          paymentMethod: 'tok_visa',
        },
        `cost-${run}-${i}`,
      );
      ids.add(order.orderId).add(customer.id).add(runner.id);
      if (fate !== 'declined') {
        const started = await w.waitFor(order.orderId, ['TIMER_STARTED'], {
          timeoutMs: left(),
          failOn: ['PAYMENT_FAILED'],
        });
        if (fate === 'completed') {
          await retryConflict(() => api.accept(runner, order.orderId), left());
          await api.complete(runner, order.orderId);
        } else if (fate === 'cancelled') {
          await retryConflict(() => api.cancel(customer, order.orderId), left());
        } else {
          await fireScheduleNow(target, scheduleNameOf(started), left());
        }
      }
      await w.waitFor(order.orderId, DONE[fate], { timeoutMs: left() });
    };
    const round = async (perFate: number) => {
      const all: Promise<void>[] = [];
      for (const fate of FATES) for (let k = 0; k < perFate; k++) all.push(place(fate));
      await Promise.all(all);
      await quiet(logs, 2000, left());
    };

    say('warming every function (one order of each fate, not counted)...');
    await round(1);
    logs.reset();
    meter.resetCounts();
    const storedBefore = storedBytesOf(meter);
    const offsets = await topicOffsets(kafka);
    say(`measuring ${o.perFate} order(s) of each fate...`);
    await round(o.perFate);

    const orders = o.perFate * FATES.length;
    const topics = await topicUsage(kafka, offsets, left());
    return usageOf({
      orders,
      perFate: o.perFate,
      logs,
      meter,
      storedBefore,
      topics,
      ownKeys: ids,
      model: runtime.model,
    });
  } finally {
    await watcher?.stop().catch(() => {});
    await runtime?.stop().catch(() => {});
    await meter?.stop().catch(() => {});
    await dynamo.stop().catch(() => {});
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

function scheduleNameOf(events: readonly SagaEvent[]): string {
  const name = events.find((e) => e.type === 'TIMER_STARTED')?.payload.scheduleName;
  if (typeof name !== 'string' || name === '') throw new CliError('TIMER_STARTED names no schedule');
  return name;
}

async function retryConflict<T>(fn: () => Promise<T>, budgetMs: number): Promise<T> {
  const until = Date.now() + Math.min(budgetMs, 15_000);
  for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409 || Date.now() + wait > until) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Waits until no log event arrived for `quietMs` (the notification consumer and log sink trail the saga). */
async function quiet(logs: LogMeter, quietMs: number, budgetMs: number): Promise<void> {
  const until = Date.now() + budgetMs;
  while (Date.now() - logs.lastEventAt < quietMs) {
    if (Date.now() > until)
      throw new CliError('the runtime did not go quiet before --timeout: pass a longer --timeout');
    await new Promise((r) => setTimeout(r, 200));
  }
}

function storedBytesOf(meter: DynamoDbMeter): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, t] of meter.tables) {
    let bytes = 0;
    for (const size of t.items.values()) bytes += size + ITEM_STORAGE_OVERHEAD;
    out.set(name, bytes);
  }
  return out;
}

async function topicOffsets(kafka: Kafka): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await withAdmin(kafka, async (admin) => {
    for (const topic of await admin.listTopics()) {
      for (const p of await admin.fetchTopicOffsets(topic))
        out.set(`${topic}/${p.partition}`, Number(p.high));
    }
  });
  return out;
}

async function topicUsage(
  kafka: Kafka,
  before: Map<string, number>,
  timeoutMs: number,
): Promise<{ topics: Record<string, { records: number; bytes: number }>; types: Map<string, number> }> {
  const topics = [...new Set([...before.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))].filter(
    (t) => !t.startsWith('__'),
  );
  const out: Record<string, { records: number; bytes: number }> = {};
  const types = new Map<string, number>();
  await readToEnd(
    kafka,
    topics,
    (m) => {
      if (m.offset < (before.get(`${m.topic}/${m.partition}`) ?? 0)) return;
      let u = out[m.topic];
      if (!u) {
        u = { records: 0, bytes: 0 };
        out[m.topic] = u;
      }
      u.records++;
      try {
        const type = (JSON.parse(m.value ?? '{}') as { type?: unknown }).type;
        if (typeof type === 'string') types.set(type, (types.get(type) ?? 0) + 1);
      } catch {
        // not JSON (a log line): no event type
      }
      u.bytes +=
        Buffer.byteLength(m.key ?? '') +
        Buffer.byteLength(m.value ?? '') +
        Object.entries(m.headers).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    },
    { timeoutMs, purpose: 'cost' },
  );
  return { topics: out, types };
}

function usageOf(i: {
  orders: number;
  perFate: number;
  logs: LogMeter;
  meter: DynamoDbMeter;
  storedBefore: Map<string, number>;
  ownKeys: ReadonlySet<string>;
  topics: { topics: Record<string, { records: number; bytes: number }>; types: Map<string, number> };
  model: {
    functions: readonly { logicalId: string; logGroupName: string }[];
    tables: readonly { logicalId: string; tableName: string }[];
  };
}): OrderUsage {
  const per = (n: number) => n / i.orders;
  const functions: Record<string, { invocations: number; billedMs: number }> = {};
  for (const fn of i.model.functions) {
    const f = i.logs.functions.get(fn.logGroupName);
    if (f) functions[fn.logicalId] = { invocations: per(f.invocations), billedMs: per(f.billedMs) };
  }
  const storedAfter = storedBytesOf(i.meter);
  const tables: Record<string, OrderUsage['tables'][string]> = {};
  for (const t of i.model.tables) {
    const m = i.meter.tables.get(t.tableName);
    if (!m) continue;
    let hot: { key: string; wru: number } | undefined;
    // The busiest key shared by orders: keys naming one order or user do not get busier with the rate.
    for (const [key, wru] of m.byKey) {
      if (key.split('#').some((part) => i.ownKeys.has(part))) continue;
      if (!hot || wru > hot.wru) hot = { key, wru };
    }
    tables[t.logicalId] = {
      wru: per(m.wru),
      rru: per(m.rru),
      storedBytes: per((storedAfter.get(t.tableName) ?? 0) - (i.storedBefore.get(t.tableName) ?? 0)),
      ...(hot ? { hotKey: { key: hot.key, wru: per(hot.wru) } } : {}),
    };
  }
  const topics: Record<string, { records: number; bytes: number }> = {};
  for (const [t, u] of Object.entries(i.topics.topics))
    topics[t] = { records: per(u.records), bytes: per(u.bytes) };
  // Scheduler calls, read from what the timer service says it did: a TIMER_STARTED follows each
  // CreateSchedule, a TIMER_CANCELLED each DeleteSchedule; each firing is one TimerFireFunction invocation.
  const typeCount = (type: string) => per(i.topics.types.get(type) ?? 0);
  const fire = Object.entries(functions).find(([id]) => /TimerFire/.test(id))?.[1];
  const httpRequests = Object.entries(functions)
    .filter(([id]) => /ApiFunction$/.test(id))
    .reduce((n, [, f]) => n + f.invocations, 0);
  return {
    source: `campusg cost on ${new Date().toISOString().slice(0, 10)}, local runtime, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
    orders: i.orders,
    mix: Object.fromEntries(FATES.map((f) => [f, i.perFate])),
    functions,
    topics,
    tables,
    scheduler: {
      creates: typeCount('TIMER_STARTED'),
      deletes: typeCount('TIMER_CANCELLED'),
      invocations: fire?.invocations ?? 0,
    },
    httpRequests,
    logs: { events: per(i.logs.events), bytes: per(i.logs.bytes) },
  };
}
