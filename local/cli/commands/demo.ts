import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { formatTimeline, type SagaEvent, SagaWatcher } from '#local/inspect/saga';
import { ApiError, OrderApiClient, type OrderView } from '../api-client';
import {
  action,
  CliError,
  describeError,
  EXIT,
  type ExitCode,
  type Io,
  line,
  positiveInt,
  processIo,
} from '../output';
import { addTargetOptions, resolveTarget, type Target, type TargetFlags } from '../target';

/**
 * `campusg demo`: one order down the happy path (create -> TIMER_STARTED -> accept -> complete ->
 * FUNDS_RELEASED + PAYMENT_CAPTURED) and one into a timeout (create -> ORDER_TIMEOUT -> FUNDS_REFUNDED +
 * PAYMENT_VOIDED), side by side, then both timelines.
 *
 * The acceptance deadline is 15 minutes. Against the local runtime the demo does not wait for it: once the
 * timeout order's schedule exists, it asks the runtime to fire exactly that schedule now (the local-only
 * `POST /_campusg/scheduler/fire` of local/aws-api), which runs the normal firing path (the timer's fire
 * function, then the saga). Every other schedule keeps its time. `--no-fast-forward` waits for the real
 * (possibly time-scaled) deadline instead; other targets always do.
 */

export interface DemoOptions {
  /** Overall budget in seconds. */
  readonly timeout?: number;
  /** Fire the timeout order's schedule now on the local runtime (default true). */
  readonly fastForward?: boolean;
}

export function register(program: Command, io: Io = processIo): void {
  addTargetOptions(
    program
      .command('demo')
      .description(
        'drive one order down the happy path and one into a timeout against the running system, then print both timelines',
      )
      .option('--timeout <seconds>', 'give up after this many seconds', positiveInt('--timeout'), 115)
      .option(
        '--no-fast-forward',
        "wait for the timeout order's real acceptance deadline instead of having the local runtime fire it now",
      )
      .addHelpText('after', '\nStart the system first with `npm start` (in another terminal).'),
    { token: true },
  ).action(action(io, async (opts: TargetFlags & DemoOptions) => demo(resolveTarget(opts), opts, io)));
}

interface Scenario {
  readonly name: string;
  orderId?: string;
  error?: string;
}

export async function demo(target: Target, opts: DemoOptions, io: Io): Promise<ExitCode> {
  await requireRunning(target);
  const deadline = Date.now() + (opts.timeout ?? 115) * 1000;
  const left = () => Math.max(1000, deadline - Date.now());
  const api = new OrderApiClient(target);
  const kafka = await target.kafka('campusg-demo');
  const watcher = await SagaWatcher.start(kafka);
  const run = randomUUID().slice(0, 6);
  const customer = `demo-customer-${run}`;
  const runner = `demo-runner-${run}`;
  const say = (scenario: string, text: string) => line(io, `[${scenario}] ${text}`);

  const happy: Scenario = { name: 'happy path' };
  const timeout: Scenario = { name: 'timeout' };
  const failOn = ['PAYMENT_FAILED', 'ORDER_CANCELLED'];

  const create = async (s: Scenario, location: string): Promise<OrderView> => {
    const order = await api.create(
      { role: 'customer', id: customer },
      {
        items: [
          { name: 'flat white', quantity: 2, unitPriceCents: 350 },
          { name: 'bagel', quantity: 1, unitPriceCents: 275 },
        ],
        deliveryLocation: location,
        paymentMethod: 'tok_visa',
      },
      `demo-${run}-${s.name.replace(/\s/g, '-')}`,
    );
    s.orderId = order.orderId;
    say(s.name, `created order ${order.orderId} (${order.status}) for ${customer}`);
    return order;
  };

  const happyPath = async () => {
    const order = await create(happy, 'Library, 2nd floor');
    const started = await watcher.waitFor(order.orderId, ['TIMER_STARTED'], { timeoutMs: left(), failOn });
    say(happy.name, `waiting for a runner (${deadlineOf(started)})`);
    await retryConflict(() => api.accept({ role: 'runner', id: runner }, order.orderId), left());
    say(happy.name, `accepted by ${runner}`);
    await api.complete({ role: 'runner', id: runner }, order.orderId);
    say(happy.name, 'completed');
    await watcher.waitFor(order.orderId, ['FUNDS_RELEASED', 'PAYMENT_CAPTURED'], { timeoutMs: left() });
    say(happy.name, 'funds released to the runner, payment captured');
  };

  const timeoutPath = async () => {
    const order = await create(timeout, 'Sports hall entrance');
    const started = await watcher.waitFor(order.orderId, ['TIMER_STARTED'], {
      timeoutMs: left(),
      failOn: ['PAYMENT_FAILED'],
    });
    say(timeout.name, `nobody accepts; waiting for the deadline (${deadlineOf(started)})`);
    const wait = realWaitMs(started, target.runtime()?.timeScale);
    if (target.kind === 'local' && opts.fastForward !== false && (wait === undefined || wait > 2000)) {
      say(
        timeout.name,
        `fast-forwarding the acceptance deadline of ${order.orderId} (local runtime only): firing its schedule now`,
      );
      await fireScheduleNow(target, scheduleNameOf(started), left());
    } else if (wait !== undefined && wait > left()) {
      throw new CliError(
        `the acceptance deadline passes in ${Math.ceil(wait / 1000)} s, after the demo's budget: ` +
          (target.kind === 'local'
            ? 'drop --no-fast-forward, restart the runtime with `--time-scale 60`, or pass --timeout'
            : 'pass a longer --timeout'),
      );
    }
    try {
      await watcher.waitFor(order.orderId, ['ORDER_TIMEOUT'], { timeoutMs: left() });
    } catch (err) {
      throw new CliError(
        `${describeError(err)}; the runtime's acceptance deadline is longer than the demo's budget: start it with a short deadline or scaled time, or pass --timeout`,
      );
    }
    say(timeout.name, 'deadline passed: ORDER_TIMEOUT');
    await watcher.waitFor(order.orderId, ['FUNDS_REFUNDED', 'PAYMENT_VOIDED'], { timeoutMs: left() });
    say(timeout.name, 'funds refunded to the customer, payment voided');
  };

  try {
    const results = await Promise.allSettled([happyPath(), timeoutPath()]);
    results.forEach((r, i) => {
      if (r.status === 'rejected') (i === 0 ? happy : timeout).error = describeError(r.reason);
    });
    // Let the trailing notifications of the last events arrive before printing.
    await new Promise((r) => setTimeout(r, 500));
    for (const s of [happy, timeout]) {
      line(io);
      line(io, `${s.name}${s.error ? ` (FAILED: ${s.error})` : ''}`);
      if (s.orderId) for (const l of formatTimeline(s.orderId, watcher.events(s.orderId))) line(io, l);
    }
  } finally {
    await watcher.stop();
  }
  const failed = [happy, timeout].filter((s) => s.error);
  line(io);
  if (failed.length > 0) {
    line(io, `Demo failed: ${failed.map((s) => `${s.name}: ${s.error}`).join('; ')}`);
    return EXIT.FAILURE;
  }
  line(io, `Demo complete. Trace either order again with \`campusg trace ${happy.orderId}\`.`);
  return EXIT.OK;
}

function deadlineOf(events: readonly SagaEvent[]): string {
  const started = events.find((e) => e.type === 'TIMER_STARTED');
  const d = started?.payload.deadline;
  return typeof d === 'string' ? `deadline ${d}` : 'deadline unknown';
}

function scheduleNameOf(events: readonly SagaEvent[]): string {
  const name = events.find((e) => e.type === 'TIMER_STARTED')?.payload.scheduleName;
  if (typeof name !== 'string' || name === '') throw new CliError('TIMER_STARTED names no schedule');
  return name;
}

/**
 * Asks the local runtime to fire one schedule now (local-only controls of its AWS API endpoint): finds the
 * schedule's group among the pending firings, then fires it and waits for the outcome.
 */
export async function fireScheduleNow(target: Target, scheduleName: string, budgetMs: number): Promise<void> {
  const endpoint = target.awsEndpoint()?.value;
  if (!endpoint) throw new CliError('fast-forwarding needs the local runtime');
  const control = `${endpoint.replace(/\/+$/, '')}/_campusg/scheduler`;
  const until = Date.now() + Math.min(budgetMs, 15_000);
  let group: string | undefined;
  for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
    const res = await fetch(`${control}/pending`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new CliError(`${endpoint} cannot list pending schedules (HTTP ${res.status})`);
    const { pending } = (await res.json()) as { pending: { name: string; groupName: string }[] };
    group = pending.find((p) => p.name === scheduleName)?.groupName;
    if (group !== undefined || Date.now() + wait > until) break;
    await new Promise((r) => setTimeout(r, wait));
  }
  if (group === undefined) {
    throw new CliError(`the local runtime at ${endpoint} has no pending schedule ${scheduleName}`);
  }
  const res = await fetch(`${control}/fire`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: scheduleName, group }),
    signal: AbortSignal.timeout(Math.max(5000, budgetMs)),
  });
  const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string; message?: string };
  if (!res.ok) {
    throw new CliError(
      `the local runtime could not fire schedule ${group}/${scheduleName}: ${body.message ?? `HTTP ${res.status}`}`,
    );
  }
  if (body.ok === false) {
    throw new CliError(`schedule ${group}/${scheduleName} fired but its target failed: ${body.error}`);
  }
}

/** Real milliseconds until TIMER_STARTED's deadline, when the runtime reports its time scale. */
export function realWaitMs(
  events: readonly SagaEvent[],
  timeScale: number | undefined,
  now = Date.now(),
): number | undefined {
  const deadline = events.find((e) => e.type === 'TIMER_STARTED')?.payload.deadline;
  if (timeScale === undefined || typeof deadline !== 'string' || Number.isNaN(Date.parse(deadline)))
    return undefined;
  return Math.max(0, (Date.parse(deadline) - now) / timeScale);
}

/** Accept can race the order consumer catching up with TIMER_STARTED: retry a 409 for a while. */
async function retryConflict<T>(fn: () => Promise<T>, budgetMs: number): Promise<T> {
  const until = Date.now() + Math.min(budgetMs, 15_000);
  let wait = 100;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409 || Date.now() + wait > until) throw err;
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 1000);
    }
  }
}

/** The demo needs the whole system; say so plainly when the local runtime is not up. */
async function requireRunning(target: Target): Promise<void> {
  if (target.kind !== 'local') return;
  const info = target.runtime();
  if (info && !(await target.runtimeAlive())) {
    throw new CliError(
      `the local runtime is not running (${target.runtimeFile} is left over from a runtime that is gone, pid ${info.pid}): start it with \`npm start\``,
    );
  }
  const api = (await target.apiUrl()).value;
  try {
    const res = await fetch(`${api}/orders/demo-probe`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
  } catch (err) {
    throw new CliError(
      `the local runtime is not running: nothing answers at ${api} (${describeError(err)}); ` +
        `start it with \`npm start\` in another terminal${info ? '' : ` (no ${target.runtimeFile} either)`}`,
    );
  }
}
