import type {
  FilteredLogEvent,
  InvokeResult,
  Invoker,
  LogEvent,
  LogFilter,
  LogStore,
} from '#local/core/types';

/** One call the fake invoker received. */
export interface InvokeCall {
  readonly functionRef: string;
  readonly event: unknown;
}

/**
 * An Invoker that records calls and answers with `respond` (default: success echoing the event).
 * `next()` resolves with the first call not yet taken (waiting for it if needed), for tests that wait for
 * a schedule to fire.
 */
export class FakeInvoker implements Invoker {
  readonly calls: InvokeCall[] = [];
  private taken = 0;
  private waiters: (() => void)[] = [];

  constructor(
    public respond: (functionRef: string, event: unknown) => InvokeResult | Promise<InvokeResult> = (
      _ref,
      event,
    ) => ({
      ok: true,
      payload: event,
      durationMs: 1,
    }),
  ) {}

  async invoke(functionRef: string, event: unknown): Promise<InvokeResult> {
    const call = { functionRef, event };
    this.calls.push(call);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
    return this.respond(functionRef, event);
  }

  async next(): Promise<InvokeCall> {
    while (this.taken >= this.calls.length) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const call = this.calls[this.taken]!;
    this.taken += 1;
    return call;
  }
}

export const functionError = (errorType: string, errorMessage: string): InvokeResult => ({
  ok: false,
  error: {
    errorType,
    errorMessage,
    stackTrace: [`${errorType}: ${errorMessage}`, '    at handler (index.js:1:1)'],
  },
  durationMs: 1,
});

/** A small LogStore: events kept per group in arrival order; nextToken is an offset. */
export class MemoryLogStore implements LogStore {
  private readonly events: FilteredLogEvent[] = [];
  private readonly listeners = new Set<
    (group: string, stream: string, events: readonly LogEvent[]) => void
  >();
  private sequence = 0;

  append(logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void {
    for (const e of events) {
      this.sequence += 1;
      this.events.push({
        ...e,
        logGroupName,
        logStreamName,
        eventId: String(this.sequence).padStart(8, '0'),
      });
    }
    for (const listener of this.listeners) listener(logGroupName, logStreamName, events);
  }

  filter(filter: LogFilter): { events: FilteredLogEvent[]; nextToken?: string } {
    const start = filter.nextToken === undefined ? 0 : Number(filter.nextToken);
    if (!Number.isInteger(start) || start < 0) throw new Error(`invalid nextToken ${filter.nextToken}`);
    const matching = this.events
      .filter(
        (e) =>
          (filter.logGroupName === undefined || e.logGroupName === filter.logGroupName) &&
          (filter.logGroupNamePrefix === undefined || e.logGroupName.startsWith(filter.logGroupNamePrefix)) &&
          (filter.startTime === undefined || e.timestamp >= filter.startTime) &&
          (filter.endTime === undefined || e.timestamp <= filter.endTime) &&
          (filter.filterPattern === undefined ||
            filter.filterPattern === '' ||
            e.message.includes(filter.filterPattern)),
      )
      .sort((a, b) => a.timestamp - b.timestamp);
    const limit = filter.limit ?? 10_000;
    const page = matching.slice(start, start + limit);
    return { events: page, nextToken: start + limit < matching.length ? String(start + limit) : undefined };
  }

  logGroups(): string[] {
    return [...new Set(this.events.map((e) => e.logGroupName))].sort();
  }

  subscribe(listener: (group: string, stream: string, events: readonly LogEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** `at(...)` for an instant (UTC, seconds precision). */
export function atExpression(epochMs: number): string {
  return `at(${new Date(epochMs).toISOString().slice(0, 19)})`;
}

export const FIRE_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:TimerFireFunction';
export const ROLE_ARN = 'arn:aws:iam::000000000000:role/scheduler';
