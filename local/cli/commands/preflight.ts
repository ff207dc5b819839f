import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { type AwsContext, awsChecks, type CheckResult } from '#infra/preflight/aws-checks';
import { monthlyCost } from '#infra/preflight/cost';
import { bundleCheck, synthChecks } from '#infra/preflight/synth-checks';
import { type SagaEvent, SagaWatcher } from '#local/inspect/saga';
import type { Runtime } from '#local/runtime/runtime';
import { ApiError, type Caller, OrderApiClient, type OrderView } from '../api-client';
import {
  action,
  describeError,
  EXIT,
  type ExitCode,
  type Io,
  line,
  processIo,
  table,
  UsageError,
} from '../output';
import { resolveTarget, type Target } from '../target';
import { fireScheduleNow } from './demo';

/**
 * `campusg preflight` (also `npm run preflight`): what to run before `cdk deploy`. One table, one line per
 * check, PASS or FAIL, exit code 1 on any failure.
 *
 * Offline: the context as `cdk deploy` reads it, the topic lock, a synthesis with cdk-nag and real bundling
 * into a scratch assembly, self-contained bundles, and one complete saga of each fate (completed, payment
 * declined, acceptance timeout, cancelled by the customer) on the local runtime booted from that assembly
 * with IAM enforced: every AWS call and Kafka operation of a function is checked against its execution role
 * in the template, and a saga passes only when no call was refused and nothing reached dead-letters.
 *
 * `--target aws` adds read-only account checks (infra/preflight/aws-checks.ts) and the monthly cost of the
 * chosen context (infra/preflight/cost.ts). `--no-offline` runs only those.
 */

export interface PreflightOptions {
  readonly target: 'local' | 'aws';
  readonly context: readonly string[];
  readonly region?: string;
  /** false with --no-offline. */
  readonly offline: boolean;
  /** Overall budget for the sagas, seconds. */
  readonly sagaTimeout: number;
}

export interface PreflightDeps {
  /** Project root. @default the repository this file is in */
  readonly root?: string;
  /** Real esbuild bundling in the synth (tests of other parts may turn it off). @default true */
  readonly bundle?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** AWS credentials for the account checks. @default the SDK's default chain */
  readonly credentials?: AwsContext['credentials'];
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command, io: Io = processIo): void {
  program
    .command('preflight')
    .description(
      'check before `cdk deploy`: synth with cdk-nag, self-contained bundles, one saga of each fate on the local runtime with IAM enforced; --target aws adds read-only account checks and the monthly cost; exit 1 on any failure',
    )
    .option('-c, --context <key=value>', 'CDK context, as for cdk deploy (repeatable)', collect, [])
    .addOption(
      new Option('--target <target>', 'local: offline checks only; aws: also the account in --region')
        .choices(['local', 'aws'])
        .default('local'),
    )
    .option('--region <region>', 'AWS region for --target aws (default AWS_REGION / AWS_DEFAULT_REGION)')
    .option('--no-offline', 'skip the synth, bundle and saga checks (with --target aws: account checks only)')
    .option('--saga-timeout <seconds>', 'budget for the four sagas', (v) => Number(v), 240)
    .addHelpText(
      'after',
      '\nExamples:\n  npm run preflight\n  node bin/campusg.js preflight --target aws --region eu-west-1 -c stage=prod -c alarmEmail=ops@example.edu',
    )
    .action(action(io, async (opts: PreflightOptions) => preflight(opts, io)));
}

function parseContext(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`--context ${JSON.stringify(pair)}: write key=value, e.g. -c stage=prod`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

export async function preflight(opts: PreflightOptions, io: Io, deps: PreflightDeps = {}): Promise<ExitCode> {
  const root = deps.root ?? ROOT;
  const env = deps.env ?? process.env;
  const context = parseContext(opts.context);
  const region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (opts.target === 'aws' && !region) {
    throw new UsageError('--target aws needs a region: pass --region or set AWS_REGION');
  }
  const results: CheckResult[] = [];
  const progress = (text: string) => io.err.write(`preflight: ${text}\n`);

  progress('synthesizing (cdk-nag, esbuild bundling)...');
  const synth = synthChecks({ root, context, bundle: deps.bundle ?? opts.offline });
  results.push(...synth.results.filter((r) => opts.offline || !r.check.startsWith('synth')));
  if (opts.offline && synth.assemblyDir) {
    progress('checking bundles...');
    results.push(await bundleCheck(synth.assemblyDir));
    progress('running one saga of each fate on the local runtime (IAM enforced)...');
    results.push(...(await sagaChecks(root, synth.assemblyDir, opts.sagaTimeout)));
  }
  if (opts.target === 'aws' && synth.config && region) {
    progress(`checking account in ${region} (read-only)...`);
    results.push(...(await awsChecks({ region, env, credentials: deps.credentials }, synth.config)));
    const cost = monthlyCost(synth.config, synth.alarmCount || 35);
    results.push({
      check: 'monthly cost of this context',
      ok: cost.unknown === undefined,
      detail: `~$${cost.totalUsd.toFixed(0)} (us-east-1 list prices, docs/deploy.md): ${cost.lines
        .map((l) => `${l.item} $${l.usd.toFixed(2)}`)
        .join('; ')}${cost.unknown ? `; ${cost.unknown}` : ''}`,
    });
  }

  for (const l of table([
    ['CHECK', 'RESULT', 'DETAIL'],
    ...results.map((r) => [r.check, r.ok ? 'PASS' : 'FAIL', r.detail]),
  ]))
    line(io, l);
  const failed = results.filter((r) => !r.ok);
  line(io);
  line(
    io,
    failed.length === 0
      ? `preflight passed (${results.length} checks)`
      : `preflight FAILED: ${failed.length} of ${results.length} checks`,
  );
  return failed.length === 0 ? EXIT.OK : EXIT.FAILURE;
}

interface SagaContext {
  readonly api: OrderApiClient;
  readonly watcher: SagaWatcher;
  readonly target: Target;
  /** A customer id of its own. */
  readonly customer: string;
  /** Milliseconds left of the budget. */
  readonly left: () => number;
}

interface Fate {
  readonly check: string;
  /** Drives one order to its end; resolves with the order id. */
  readonly run: (ctx: SagaContext) => Promise<string>;
}

const ITEMS = [{ name: 'flat white', quantity: 1, unitPriceCents: 350 }];

/** One saga per way an order can end, side by side. */
export const FATES: readonly Fate[] = [
  {
    check: 'saga: completed',
    run: async ({ api, watcher, customer, left }) => {
      const runner = `${customer}-runner`;
      const order = await placeOrder(api, customer, 'tok_visa', left());
      await watcher.waitFor(order.orderId, ['TIMER_STARTED'], {
        timeoutMs: left(),
        failOn: ['PAYMENT_FAILED'],
      });
      const asRunner = { role: 'runner' as const, id: runner };
      await command(api, asRunner, order.orderId, 'accept', 'ACCEPTED', left());
      await command(api, asRunner, order.orderId, 'complete', 'COMPLETED', left());
      await watcher.waitFor(order.orderId, ['FUNDS_RELEASED', 'PAYMENT_CAPTURED'], { timeoutMs: left() });
      return order.orderId;
    },
  },
  {
    check: 'saga: payment declined',
    run: async ({ api, watcher, customer, left }) => {
      const order = await placeOrder(api, customer, 'tok_decline', left());
      await watcher.waitFor(order.orderId, ['PAYMENT_FAILED', 'ORDER_CANCELLED'], {
        timeoutMs: left(),
        failOn: ['FUNDS_HELD'],
      });
      return order.orderId;
    },
  },
  {
    check: 'saga: acceptance timeout',
    run: async ({ api, watcher, customer, left, target }) => {
      const order = await placeOrder(api, customer, 'tok_visa', left());
      const started = await watcher.waitFor(order.orderId, ['TIMER_STARTED'], {
        timeoutMs: left(),
        failOn: ['PAYMENT_FAILED'],
      });
      const scheduleName = started.find((e) => e.type === 'TIMER_STARTED')?.payload.scheduleName;
      if (typeof scheduleName !== 'string') throw new Error('TIMER_STARTED names no schedule');
      await fireScheduleNow(target, scheduleName, left());
      await watcher.waitFor(order.orderId, ['ORDER_TIMEOUT', 'FUNDS_REFUNDED', 'PAYMENT_VOIDED'], {
        timeoutMs: left(),
      });
      return order.orderId;
    },
  },
  {
    check: 'saga: cancelled by the customer',
    run: async ({ api, watcher, customer, left }) => {
      const order = await placeOrder(api, customer, 'tok_visa', left());
      await watcher.waitFor(order.orderId, ['TIMER_STARTED'], {
        timeoutMs: left(),
        failOn: ['PAYMENT_FAILED'],
      });
      await command(api, { role: 'customer', id: customer }, order.orderId, 'cancel', 'CANCELLED', left());
      await watcher.waitFor(order.orderId, ['ORDER_CANCELLED', 'FUNDS_REFUNDED', 'PAYMENT_VOIDED'], {
        timeoutMs: left(),
        failOn: ['ORDER_ACCEPTED'],
      });
      return order.orderId;
    },
  },
];

/** Boots the runtime from the assembly with IAM enforced and runs every fate; one result per fate, plus IAM. */
export async function sagaChecks(
  root: string,
  assemblyDir: string,
  timeoutSeconds: number,
): Promise<CheckResult[]> {
  const { startRuntime } = require('../../runtime/runtime') as typeof import('../../runtime/runtime');
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-preflight-state-'));
  const output: string[] = [];
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      cwd: root,
      assemblyDir,
      synth: false,
      kafkaPort: 0,
      httpPort: 0,
      awsPort: 0,
      quiet: true,
      stateDir,
      iam: 'enforce',
      print: (l) => output.push(l),
      printError: (l) => output.push(l),
    });
  } catch (err) {
    return [
      { check: 'local runtime (IAM enforced)', ok: false, detail: `could not start: ${describeError(err)}` },
    ];
  }
  const deadline = Date.now() + timeoutSeconds * 1000;
  const left = () => Math.max(1000, deadline - Date.now());
  const results: CheckResult[] = [];
  let watcher: SagaWatcher | undefined;
  try {
    const target = resolveTarget({ target: 'local', stateDir });
    watcher = await SagaWatcher.start(await target.kafka('campusg-preflight'));
    const api = new OrderApiClient(target);
    const run = Math.random().toString(36).slice(2, 8);
    const settled = await Promise.allSettled(
      FATES.map((f, i) => f.run({ api, watcher: watcher!, target, customer: `preflight-${run}-${i}`, left })),
    );
    settled.forEach((s, i) => {
      const fate = FATES[i]!;
      if (s.status === 'rejected') {
        results.push({ check: fate.check, ok: false, detail: describeError(s.reason) });
        return;
      }
      const events: SagaEvent[] = watcher!.events(s.value);
      const dead = events.filter((e) => e.topic === 'dead-letters');
      results.push({
        check: fate.check,
        ok: dead.length === 0,
        detail:
          dead.length === 0
            ? `order ${s.value}: ${events.length} events, none dead-lettered`
            : `order ${s.value}: ${dead.length} record(s) in dead-letters`,
      });
    });
    const denials = runtime.iam?.denials ?? [];
    results.push({
      check: 'IAM (execution roles from the template)',
      ok: runtime.iam?.mode === 'enforce' && denials.length === 0,
      detail:
        runtime.iam?.mode !== 'enforce'
          ? `IAM mode is ${runtime.iam?.mode ?? 'off'}, not enforce`
          : denials.length === 0
            ? 'no call refused during the sagas'
            : denials
                .slice(0, 3)
                .map((d) => `${d.functionName} ${d.action} on ${d.resource}`)
                .join('; '),
    });
  } catch (err) {
    results.push({ check: 'sagas on the local runtime', ok: false, detail: describeError(err) });
  } finally {
    await watcher?.stop().catch(() => undefined);
    await runtime.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  return results;
}

/** A network error or a 5xx: the API (or the function behind it) did not answer this time. */
const transient = (err: unknown) => !(err instanceof ApiError) || err.status >= 500;

/** Creates an order, retrying transient failures under one Idempotency-Key, so a retry never doubles it. */
async function placeOrder(
  api: OrderApiClient,
  customer: string,
  paymentMethod: string,
  budgetMs: number,
): Promise<OrderView> {
  const input = { items: ITEMS, deliveryLocation: 'Library', paymentMethod };
  return retry(budgetMs, transient, () =>
    api.create({ role: 'customer', id: customer }, input, `preflight-${customer}`),
  );
}

/**
 * An order command. A 409 right after TIMER_STARTED means the order consumer has not caught up yet: retried.
 * A transient failure is retried too; when its retry answers 409 because the first attempt did go through,
 * the order's status (`done`) says so.
 */
async function command(
  api: OrderApiClient,
  caller: Caller,
  orderId: string,
  action: 'accept' | 'complete' | 'cancel',
  done: string,
  budgetMs: number,
): Promise<void> {
  let hadTransient = false;
  await retry(
    budgetMs,
    (err) => {
      hadTransient ||= transient(err);
      return transient(err) || (err instanceof ApiError && err.status === 409);
    },
    async () => {
      try {
        await api[action](caller, orderId);
      } catch (err) {
        if (hadTransient && err instanceof ApiError && err.status === 409) {
          if ((await api.get(caller, orderId)).status === done) return;
        }
        throw err;
      }
    },
  );
}

async function retry<T>(
  budgetMs: number,
  retriable: (err: unknown) => boolean,
  fn: () => Promise<T>,
): Promise<T> {
  const until = Date.now() + Math.min(budgetMs, 30_000);
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await fn();
    } catch (err) {
      if (!retriable(err) || Date.now() + wait > until) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
