import type { Invoker } from '#local/core/types';
import { atInstant, parseScheduleExpression } from './expression';

/**
 * The firing loop of EventBridge Scheduler, independent of where schedules are stored. A `ScheduleSource`
 * says which schedules exist (this emulator's store, or a poller of a real Scheduler API such as
 * LocalStack's, which stores schedules but never fires them); the engine fires every enabled `at()`
 * schedule when its time comes, invokes its target through an `Invoker` with its input, retries per its
 * RetryPolicy and then hands it back to the source to complete (delete it when ActionAfterCompletion is
 * DELETE).
 *
 * Time scaling: a schedule due D after its creation (or last update) fires D / timeScale of real time after
 * it. `advance(ms)` moves the clock of every schedule already known forward by `ms` of schedule time.
 */

export interface EngineRetryPolicy {
  readonly maximumEventAgeInSeconds: number;
  readonly maximumRetryAttempts: number;
}

/** What the engine needs to know about one schedule. */
export interface EngineSchedule {
  readonly name: string;
  readonly groupName: string;
  readonly expression: string;
  /** IANA zone the `at()` time is read in; UTC when absent. */
  readonly timezone?: string;
  readonly state: 'ENABLED' | 'DISABLED';
  /** A Lambda function ARN. */
  readonly targetArn: string;
  /** `Target.Input`: a JSON text passed as the event (an empty object when absent). */
  readonly input?: string;
  readonly retryPolicy: EngineRetryPolicy;
  readonly actionAfterCompletion: 'NONE' | 'DELETE';
  /** Real epoch ms of the creation or last update: the base from which timeScale compresses the wait. */
  readonly modifiedAt: number;
  /** Set once a one-time schedule has run (a source that records it never fires it again after a restart). */
  readonly completedAt?: number;
}

export interface FireOutcome {
  readonly ok: boolean;
  readonly attempts: number;
  /** The last error (`errorType: errorMessage`) when every attempt failed. */
  readonly error?: string;
}

export interface ScheduleSource {
  /** Every schedule the source holds (the engine ignores disabled, completed and non-`at()` ones). */
  list(): Promise<readonly EngineSchedule[]>;
  /** Called once per firing after success or the last retry: delete it (DELETE) or mark it completed. */
  complete(schedule: EngineSchedule, outcome: FireOutcome): Promise<void>;
  /** Change notifications; without them the engine polls `list()` every `pollIntervalMs`. */
  watch?(onChange: () => void): () => void;
}

export type SchedulerEvent =
  | { readonly type: 'invoking'; readonly schedule: EngineSchedule; readonly attempt: number }
  | { readonly type: 'succeeded'; readonly schedule: EngineSchedule; readonly attempts: number }
  | {
      readonly type: 'retrying';
      readonly schedule: EngineSchedule;
      readonly attempt: number;
      readonly error: string;
      readonly delayMs: number;
    }
  | {
      readonly type: 'failed';
      readonly schedule: EngineSchedule;
      readonly attempts: number;
      readonly error: string;
    }
  | { readonly type: 'completed'; readonly schedule: EngineSchedule; readonly outcome: FireOutcome }
  | { readonly type: 'source-error'; readonly error: string };

export interface SchedulerEngineOptions {
  readonly source: ScheduleSource;
  readonly invoker: Invoker;
  /** Schedule time runs this many times faster than real time. Default 1. */
  readonly timeScale?: number;
  /** How often to re-read a source that has no `watch`. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** First retry delay in schedule time, doubled per retry up to `retryMaxDelayMs`. Default 1000 ms. */
  readonly retryBaseDelayMs?: number;
  /** Default 60000 ms (schedule time). */
  readonly retryMaxDelayMs?: number;
  readonly onEvent?: (event: SchedulerEvent) => void;
}

export interface PendingFiring {
  readonly name: string;
  readonly groupName: string;
  /** Real epoch ms at which the engine fires it. */
  readonly dueAt: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function fireKey(s: EngineSchedule): string {
  return `${s.groupName}/${s.name}@${s.modifiedAt}`;
}

function eventOf(input: string | undefined): unknown {
  if (input === undefined) return {};
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

export class SchedulerEngine {
  private readonly timeScale: number;
  private readonly pollIntervalMs: number;
  private readonly retryBaseDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly inflight = new Map<string, Promise<FireOutcome | undefined>>();
  private readonly done = new Set<string>();
  /** Virtual ms already advanced when a firing was first seen. */
  private readonly seen = new Map<string, number>();
  /** Sources hand back the same object while a schedule is unchanged, so its facts are computed once. */
  private readonly factCache = new WeakMap<EngineSchedule, { key: string; at: number | undefined }>();
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private advanced = 0;
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private refreshing: Promise<void> | undefined;
  private dirty = false;
  private started = false;
  private stopped = false;
  /** The source's list as last read. */
  private known: readonly EngineSchedule[] = [];

  constructor(private readonly options: SchedulerEngineOptions) {
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
      throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
    }
    this.timeScale = timeScale;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 1000;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 60_000;
  }

  /** Reads the source once (firing whatever is overdue) and keeps watching it. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.unwatch = this.options.source.watch?.(() => {
      void this.refresh();
    });
    await this.refresh();
  }

  /** Stops firing; waits for invocations in flight. Firings cut short are not completed (they fire again). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unwatch?.();
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.resolve();
    }
    await this.refreshing;
    await Promise.allSettled([...this.inflight.values()]);
  }

  /** Moves schedule time forward by `ms` for every schedule known now (e.g. a demo skipping a deadline). */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    await this.refresh();
    this.advanced += ms;
    await this.refresh();
  }

  /**
   * Fires one schedule now, whatever its time, through the same path as a firing that came due (invoke,
   * retries, completion), and resolves with the outcome. Every other schedule keeps its time. Undefined when
   * the source has no such enabled, pending `at()` schedule (unknown, disabled, fired or firing already).
   */
  async fireNow(name: string, groupName: string): Promise<FireOutcome | undefined> {
    await this.refresh();
    if (this.stopped) return undefined;
    const s = this.known.find((k) => k.name === name && k.groupName === groupName);
    const firing = s && this.upcoming(s);
    if (!s || !firing) return undefined;
    return this.fire(s, firing.key, Date.now());
  }

  /** Firings planned but not yet due, earliest first. */
  pending(): PendingFiring[] {
    const now = Date.now();
    const pending: PendingFiring[] = [];
    for (const s of this.known) {
      const firing = this.upcoming(s);
      if (!firing) continue;
      const dueAt = this.dueAt(s, firing.key, firing.at);
      if (dueAt > now) pending.push({ name: s.name, groupName: s.groupName, dueAt });
    }
    return pending.sort((a, b) => a.dueAt - b.dueAt);
  }

  /** Re-reads the source and (re)plans firings. Concurrent calls coalesce. */
  refresh(): Promise<void> {
    this.dirty = true;
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      try {
        while (this.dirty && !this.stopped) {
          this.dirty = false;
          await this.plan();
        }
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private emit(event: SchedulerEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // a listener's failure must not stop the scheduler
    }
  }

  /** Firing key and `at()` instant (undefined for rate/cron), computed once per schedule object. */
  private facts(s: EngineSchedule): { key: string; at: number | undefined } {
    let facts = this.factCache.get(s);
    if (!facts) {
      let at: number | undefined;
      try {
        const expression = parseScheduleExpression(s.expression);
        at = expression.kind === 'at' ? atInstant(expression, s.timezone) : undefined;
      } catch (err) {
        this.emit({ type: 'source-error', error: `schedule ${s.groupName}/${s.name}: ${describe(err)}` });
      }
      facts = { key: fireKey(s), at };
      this.factCache.set(s, facts);
    }
    return facts;
  }

  private dueAt(s: EngineSchedule, key: string, at: number): number {
    if (!this.seen.has(key)) this.seen.set(key, this.advanced);
    const skipped = this.advanced - this.seen.get(key)!;
    return s.modifiedAt + Math.max(0, at - s.modifiedAt - skipped) / this.timeScale;
  }

  /** An `at()` firing still to come: enabled, not completed, not already fired or firing. */
  private upcoming(s: EngineSchedule): { key: string; at: number } | undefined {
    const { key, at } = this.facts(s);
    if (s.state !== 'ENABLED' || s.completedAt !== undefined || at === undefined) return undefined;
    if (this.done.has(key) || this.inflight.has(key)) return undefined;
    return { key, at };
  }

  /** One pass over the source's list: fire what is due, arm the timer for the earliest of the rest. */
  private async plan(): Promise<void> {
    let schedules: readonly EngineSchedule[];
    try {
      schedules = await this.options.source.list();
    } catch (err) {
      this.emit({ type: 'source-error', error: `listing schedules failed: ${describe(err)}` });
      this.arm(this.pollIntervalMs);
      return;
    }
    if (this.stopped) return;
    this.known = schedules;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const s of schedules) {
      const firing = this.upcoming(s);
      if (!firing) continue;
      const due = this.dueAt(s, firing.key, firing.at);
      if (due <= now) void this.fire(s, firing.key, due);
      else if (due < next) next = due;
    }
    // Forget firings of schedules that are gone, now and then rather than on every pass.
    if (this.done.size + this.seen.size > 2 * schedules.length + 256) {
      const live = new Set(schedules.map((s) => this.facts(s).key));
      for (const key of this.done) if (!live.has(key)) this.done.delete(key);
      for (const key of this.seen.keys())
        if (!live.has(key) && !this.inflight.has(key)) this.seen.delete(key);
    }
    const delay = next - now;
    this.arm(this.options.source.watch ? delay : Math.min(delay, this.pollIntervalMs));
  }

  private arm(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || !Number.isFinite(delayMs)) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.refresh();
      },
      Math.min(Math.max(0, Math.ceil(delayMs)), MAX_TIMER_MS),
    );
  }

  private fire(s: EngineSchedule, key: string, due: number): Promise<FireOutcome | undefined> {
    const run = this.run(s, due).finally(() => {
      this.inflight.delete(key);
      this.done.add(key);
    });
    this.inflight.set(key, run);
    return run;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  /** Resolves with the outcome, or undefined when stopped before it was known. */
  private async run(s: EngineSchedule, due: number): Promise<FireOutcome | undefined> {
    const event = eventOf(s.input);
    const { maximumRetryAttempts, maximumEventAgeInSeconds } = s.retryPolicy;
    let attempt = 0;
    let outcome: FireOutcome;
    for (;;) {
      attempt += 1;
      this.emit({ type: 'invoking', schedule: s, attempt });
      let error: string;
      try {
        const result = await this.options.invoker.invoke(s.targetArn, event);
        if (result.ok) {
          this.emit({ type: 'succeeded', schedule: s, attempts: attempt });
          outcome = { ok: true, attempts: attempt };
          break;
        }
        error = `${result.error.errorType}: ${result.error.errorMessage}`;
      } catch (err) {
        error = describe(err);
      }
      if (this.stopped) return undefined;
      const delayMs =
        Math.min(this.retryMaxDelayMs, this.retryBaseDelayMs * 2 ** (attempt - 1)) / this.timeScale;
      const ageMs = (Date.now() + delayMs - due) * this.timeScale;
      if (attempt - 1 >= maximumRetryAttempts || ageMs > maximumEventAgeInSeconds * 1000) {
        this.emit({ type: 'failed', schedule: s, attempts: attempt, error });
        outcome = { ok: false, attempts: attempt, error };
        break;
      }
      this.emit({ type: 'retrying', schedule: s, attempt, error, delayMs });
      await this.sleep(delayMs);
      if (this.stopped) return undefined;
    }
    try {
      await this.options.source.complete(s, outcome);
      this.emit({ type: 'completed', schedule: s, outcome });
    } catch (err) {
      this.emit({
        type: 'source-error',
        error: `completing schedule ${s.groupName}/${s.name} failed: ${describe(err)}`,
      });
    }
    return outcome;
  }
}
