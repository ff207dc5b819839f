/**
 * The console's view of the functions' logs: it subscribes to the runtime's log store (what CloudWatch Logs
 * would hold), keeps the latest lines per function for filtering and the live tail, and turns the REPORT
 * lines the function host writes (`REPORT RequestId: … Duration: 12.34 ms …`) into per-minute invocation,
 * error and duration (p50/p99) series.
 */
import type { LogEvent, LogStore } from '../core/types';
import type { FunctionLogStats, LogLevel as Level, LogLine } from './api-types';

export interface LogQuery {
  readonly fn?: string;
  readonly level?: Level;
  readonly orderId?: string;
  readonly text?: string;
  /** Only lines after this sequence number (the live tail resumes from here). */
  readonly after?: number;
  readonly limit?: number;
}

interface Bucket {
  invocations: number;
  errors: number;
  durations: number[];
}

const RANK: Record<Level, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };
const BUCKET_MS = 60_000;

/** Level of a line: the JSON `level` field (Powertools), else a level word in the text format. */
export function levelOf(message: string): Level | undefined {
  const json = /"level"\s*:\s*"(DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL)"/i.exec(message);
  const word = json?.[1] ?? /\b(DEBUG|INFO|WARN|WARNING|ERROR)\b/.exec(message)?.[1];
  if (!word) return undefined;
  const w = word.toUpperCase();
  if (w === 'WARNING') return 'WARN';
  if (w === 'CRITICAL') return 'ERROR';
  return w as Level;
}

export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export class ConsoleLogs {
  private readonly lines: LogLine[] = [];
  private seq = 0;
  private readonly buckets = new Map<string, Map<number, Bucket>>();
  private readonly listeners = new Set<(line: LogLine) => void>();
  private readonly unsubscribe: () => void;
  /** Function name by log group. */
  private readonly fnOf: Map<string, string>;

  constructor(
    store: LogStore,
    functions: readonly { functionName: string; logGroupName: string }[],
    private readonly maxLines = 100_000,
  ) {
    this.fnOf = new Map(functions.map((f) => [f.logGroupName, f.functionName]));
    // What is stored already (a data dir keeps logs across restarts), then everything new.
    for (const f of functions) {
      const { events } = store.filter({ logGroupName: f.logGroupName, limit: 10_000 });
      this.ingest(f.logGroupName, events);
    }
    this.unsubscribe = store.subscribe((group, _stream, events) => this.ingest(group, events));
  }

  stop(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  functions(): string[] {
    return [...new Set(this.fnOf.values())].sort();
  }

  onLine(l: (line: LogLine) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private ingest(group: string, events: readonly LogEvent[]): void {
    const fn = this.fnOf.get(group) ?? group;
    for (const e of events) {
      for (const message of e.message.split('\n')) {
        if (message.trim() === '') continue;
        const line: LogLine = { seq: ++this.seq, fn, time: e.timestamp, level: levelOf(message), message };
        this.lines.push(line);
        this.count(line);
        for (const l of this.listeners) l(line);
      }
    }
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  private count(line: LogLine): void {
    if (!line.message.startsWith('REPORT ')) return;
    const duration = Number(/\tDuration: ([\d.]+) ms/.exec(line.message)?.[1]);
    const perFn = this.buckets.get(line.fn) ?? new Map<number, Bucket>();
    this.buckets.set(line.fn, perFn);
    const at = Math.floor(line.time / BUCKET_MS) * BUCKET_MS;
    const b = perFn.get(at) ?? { invocations: 0, errors: 0, durations: [] };
    perFn.set(at, b);
    b.invocations++;
    if (/\tStatus: /.test(line.message)) b.errors++;
    if (Number.isFinite(duration)) b.durations.push(duration);
  }

  /** The newest lines matching the query (oldest first), at most `limit`. */
  query(q: LogQuery): LogLine[] {
    const limit = q.limit ?? 200;
    const out: LogLine[] = [];
    for (let i = this.lines.length - 1; i >= 0 && out.length < limit; i--) {
      const l = this.lines[i]!;
      if (q.after !== undefined && l.seq <= q.after) break;
      if (matches(l, q)) out.push(l);
    }
    return out.reverse();
  }

  /** Per function: totals and per-minute series of invocations, errors, p50 and p99 duration (ms). */
  stats(): FunctionLogStats[] {
    return this.functions().map((fn) => {
      const perFn = this.buckets.get(fn) ?? new Map<number, Bucket>();
      const all: number[] = [];
      let invocations = 0;
      let errors = 0;
      const series = [...perFn.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([t, b]) => {
          invocations += b.invocations;
          errors += b.errors;
          all.push(...b.durations);
          const sorted = [...b.durations].sort((x, y) => x - y);
          return {
            t,
            invocations: b.invocations,
            errors: b.errors,
            p50: percentile(sorted, 50),
            p99: percentile(sorted, 99),
          };
        });
      all.sort((x, y) => x - y);
      return { fn, invocations, errors, p50: percentile(all, 50), p99: percentile(all, 99), series };
    });
  }
}

export function matches(l: LogLine, q: LogQuery): boolean {
  if (q.fn && l.fn !== q.fn) return false;
  if (q.level && (l.level === undefined || RANK[l.level] < RANK[q.level])) return false;
  if (q.orderId && !l.message.includes(q.orderId)) return false;
  if (q.text && !l.message.toLowerCase().includes(q.text.toLowerCase())) return false;
  return true;
}
