import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
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
import { formatTimeline, type SagaEvent, SagaWatcher } from '../saga';
import { addTargetOptions, resolveTarget, type Target, type TargetFlags } from '../target';

/**
 * `campusg demo`: one order down the happy path (create -> TIMER_STARTED -> accept -> complete ->
 * FUNDS_RELEASED + PAYMENT_CAPTURED) and one into a timeout (create -> ORDER_TIMEOUT -> FUNDS_REFUNDED +
 * PAYMENT_VOIDED), side by side, then both timelines. It relies on the runtime's acceptance deadline being
 * short (the local profile) or time being scaled.
 */

export interface DemoOptions {
  /** Overall budget in seconds. */
  readonly timeout?: number;
}

export function register(program: Command, io: Io = processIo): void {
  addTargetOptions(
    program
      .command('demo')
      .description(
        'drive one order down the happy path and one into a timeout against the running system, then print both timelines',
      )
      .option('--timeout <seconds>', 'give up after this many seconds', positiveInt('--timeout'), 115)
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
    if (wait !== undefined && wait > left()) {
      throw new CliError(
        `the acceptance deadline passes in ${Math.ceil(wait / 1000)} s, after the demo's budget: ` +
          'restart the runtime with a shorter deadline or `--time-scale 60`, or pass --timeout',
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
  if (info && !target.runtimeAlive()) {
    throw new CliError(
      `the local runtime is not running (${target.runtimeFile} names pid ${info.pid}, which has exited): start it with \`npm start\``,
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
