/**
 * Local CloudWatch Logs: per-log-group capture of function output (`MemoryLogStore`, optionally appended to
 * JSON-lines files under the data dir so logs survive a restart), CloudWatch-like filter patterns, and the
 * template's subscription filters delivered to their destination function as `{ awslogs: { data } }`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type {
  FilteredLogEvent,
  Invoker,
  LocalSubscriptionFilter,
  LogEvent,
  LogFilter,
  LogStore,
} from '#local/core/types';

interface StoredEvent extends FilteredLogEvent {
  readonly seq: number;
}

type Listener = (logGroupName: string, logStreamName: string, events: readonly LogEvent[]) => void;

export interface MemoryLogStoreOptions {
  /** Folder for `<group>.jsonl` files; events are appended there and reloaded on start. */
  readonly dir?: string;
  /** Events kept in memory per log group (oldest dropped first). Default 50 000. */
  readonly maxEventsPerGroup?: number;
}

function fileNameOf(group: string): string {
  return `${group.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_')}.jsonl`;
}

export class MemoryLogStore implements LogStore {
  private readonly groups = new Map<string, StoredEvent[]>();
  private readonly listeners = new Set<Listener>();
  private seq = 0;
  private readonly max: number;

  constructor(private readonly options: MemoryLogStoreOptions = {}) {
    this.max = options.maxEventsPerGroup ?? 50_000;
    if (options.dir) {
      fs.mkdirSync(options.dir, { recursive: true });
      this.reload(options.dir);
    }
  }

  private reload(dir: string): void {
    for (const file of fs.readdirSync(dir)) {
      if (!file.endsWith('.jsonl')) continue;
      for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as FilteredLogEvent;
          this.store(e.logGroupName, e.logStreamName, e, e.ingestionTime);
        } catch {
          // a torn last line after a crash is skipped
        }
      }
    }
  }

  private store(group: string, stream: string, e: LogEvent, ingestionTime?: number): StoredEvent {
    let list = this.groups.get(group);
    if (!list) {
      list = [];
      this.groups.set(group, list);
    }
    const seq = ++this.seq;
    const stored: StoredEvent = {
      logGroupName: group,
      logStreamName: stream,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: ingestionTime ?? Date.now(),
      eventId: String(seq).padStart(20, '0'),
      seq,
    };
    list.push(stored);
    if (list.length > this.max) list.splice(0, list.length - this.max);
    return stored;
  }

  append(logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void {
    if (events.length === 0) return;
    const stored = events.map((e) => this.store(logGroupName, logStreamName, e));
    if (this.options.dir) {
      const lines = stored.map(({ seq: _seq, ...e }) => JSON.stringify(e)).join('\n');
      try {
        fs.appendFileSync(path.join(this.options.dir, fileNameOf(logGroupName)), `${lines}\n`);
      } catch {
        // logs are best effort; a full disk must not stop the functions
      }
    }
    for (const l of this.listeners) {
      try {
        l(logGroupName, logStreamName, events);
      } catch {
        // a failing listener never breaks capture
      }
    }
  }

  filter(filter: LogFilter): { events: FilteredLogEvent[]; nextToken?: string } {
    const matcher = compileFilterPattern(filter.filterPattern ?? '');
    const groups = [...this.groups.keys()].filter(
      (g) =>
        (filter.logGroupName === undefined || g === filter.logGroupName) &&
        (filter.logGroupNamePrefix === undefined || g.startsWith(filter.logGroupNamePrefix)),
    );
    const after = filter.nextToken ? Number(Buffer.from(filter.nextToken, 'base64').toString('utf8')) : 0;
    const candidates: StoredEvent[] = [];
    for (const g of groups) {
      for (const e of this.groups.get(g)!) {
        if (e.seq <= after) continue;
        if (filter.startTime !== undefined && e.timestamp < filter.startTime) continue;
        if (filter.endTime !== undefined && e.timestamp > filter.endTime) continue;
        if (!matcher(e.message)) continue;
        candidates.push(e);
      }
    }
    candidates.sort((a, b) => a.seq - b.seq);
    const limit = filter.limit ?? 10_000;
    const page = candidates.slice(0, limit);
    const events = page.map(({ seq: _seq, ...e }) => e);
    const nextToken =
      candidates.length > limit
        ? Buffer.from(String(page.at(-1)!.seq), 'utf8').toString('base64')
        : undefined;
    return { events, nextToken };
  }

  logGroups(): string[] {
    return [...this.groups.keys()].sort();
  }

  /** Makes a log group known before anything is written to it (DescribeLogGroups lists it). */
  ensureGroup(logGroupName: string): void {
    if (!this.groups.has(logGroupName)) this.groups.set(logGroupName, []);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Filter patterns: a practical subset of CloudWatch Logs syntax.
//   ""                       everything
//   ERROR                    term (case sensitive, like CloudWatch)
//   "Payment authorized"     exact phrase
//   ERROR -retry             exclude a term;  ?ERROR ?WARN  any of
//   { $.level = "ERROR" }    JSON: = != < <= > >=, `*` wildcard in strings, && and ||, EXISTS / NOT EXISTS
// ---------------------------------------------------------------------------------------------------------

export function compileFilterPattern(pattern: string): (message: string) => boolean {
  const p = pattern.trim();
  if (p === '') return () => true;
  if (p.startsWith('{') && p.endsWith('}')) return compileJsonPattern(p.slice(1, -1));
  const tokens = [...p.matchAll(/([-?]?)"([^"]*)"|([-?]?)(\S+)/g)].map((m) =>
    m[2] !== undefined ? { op: m[1] ?? '', term: m[2] } : { op: m[3] ?? '', term: m[4]! },
  );
  const required = tokens.filter((t) => t.op === '').map((t) => t.term);
  const excluded = tokens.filter((t) => t.op === '-').map((t) => t.term);
  const anyOf = tokens.filter((t) => t.op === '?').map((t) => t.term);
  return (message) =>
    required.every((t) => message.includes(t)) &&
    !excluded.some((t) => message.includes(t)) &&
    (anyOf.length === 0 || anyOf.some((t) => message.includes(t)));
}

function lookup(obj: unknown, selector: string): unknown {
  const parts = selector
    .replace(/^\$\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((s) => s !== undefined && s !== '');
  let cur: unknown = obj;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function compileJsonPattern(body: string): (message: string) => boolean {
  const orParts = body.split('||').map((orPart) =>
    orPart.split('&&').map((cond) => {
      const c = cond
        .trim()
        .replace(/^\(+|\)+$/g, '')
        .trim();
      const exists = /^(\$[^\s]*)\s+(NOT\s+)?EXISTS$/i.exec(c);
      if (exists) {
        const sel = exists[1]!;
        const neg = Boolean(exists[2]);
        return (o: unknown) => (lookup(o, sel) !== undefined) !== neg;
      }
      const m = /^(\$[^\s=!<>]*)\s*(=|!=|<=|>=|<|>)\s*(.+)$/.exec(c);
      if (!m) return () => false;
      const [, sel, op, rawValue] = m as unknown as [string, string, string, string];
      const raw = rawValue.trim();
      const quoted = /^"(.*)"$/.exec(raw);
      const str = quoted ? quoted[1]! : raw;
      const num = quoted ? Number.NaN : Number(raw);
      const wildcard = new RegExp(`^${str.split('*').map(escapeRegExp).join('.*')}$`);
      return (o: unknown) => {
        const v = lookup(o, sel);
        if (v === undefined) return false;
        if (!Number.isNaN(num) && typeof v === 'number') {
          switch (op) {
            case '=':
              return v === num;
            case '!=':
              return v !== num;
            case '<':
              return v < num;
            case '<=':
              return v <= num;
            case '>':
              return v > num;
            case '>=':
              return v >= num;
          }
        }
        const s = v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        if (op === '=') return wildcard.test(s);
        if (op === '!=') return !wildcard.test(s);
        return false;
      };
    }),
  );
  return (message) => {
    const start = message.indexOf('{');
    if (start < 0) return false;
    let obj: unknown;
    try {
      obj = JSON.parse(message.slice(start));
    } catch {
      return false;
    }
    return orParts.some((ands) => ands.every((f) => f(obj)));
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------------------
// Subscription filters
// ---------------------------------------------------------------------------------------------------------

export interface SubscriptionDeliveryOptions {
  readonly logs: LogStore;
  readonly invoker: Invoker;
  readonly filters: readonly LocalSubscriptionFilter[];
  readonly accountId: string;
  /** Log group of each destination function (by ARN), so a shipper never receives its own output. */
  readonly logGroupOfFunction: (functionArn: string) => string | undefined;
  /**
   * How long matching events are gathered per log stream before a delivery (ms); default 1000. CloudWatch
   * Logs batches subscription deliveries for about as long; shorter makes the destination (the log shipper)
   * run far more often for the same lines, which competes with the functions for the CPU.
   */
  readonly intervalMs?: number;
  /** Max log events per delivered payload (CloudWatch caps payloads at ~1 MB). */
  readonly maxEventsPerDelivery?: number;
  readonly onError?: (message: string) => void;
}

export interface SubscriptionPayload {
  messageType: 'DATA_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: { id: string; timestamp: number; message: string }[];
}

/** `{ awslogs: { data } }` as CloudWatch Logs hands it to a Lambda subscription target. */
export function encodeSubscriptionEvent(payload: SubscriptionPayload): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64') } };
}

/**
 * Feeds the template's subscription filters: buffers matching events per (filter, group, stream) and
 * invokes the destination every `intervalMs`. Deliveries to one destination are serialized. `flush()`
 * delivers what is buffered now; `stop()` drains the buffer too, so nothing captured before it is lost.
 */
export function startSubscriptionDelivery(options: SubscriptionDeliveryOptions): {
  flush(): Promise<void>;
  stop(): Promise<void>;
} {
  const interval = options.intervalMs ?? 1000;
  const maxEvents = options.maxEventsPerDelivery ?? 500;
  const compiled = options.filters.map((f) => ({ filter: f, match: compileFilterPattern(f.filterPattern) }));
  const pending = new Map<string, { filter: LocalSubscriptionFilter; stream: string; events: LogEvent[] }>();
  const chains = new Map<string, Promise<void>>();
  let eventCounter = 0;

  const unsubscribe = options.logs.subscribe((group, stream, events) => {
    for (const { filter, match } of compiled) {
      if (filter.logGroupName !== group) continue;
      if (options.logGroupOfFunction(filter.destinationArn) === group) continue; // never the shipper's own group
      const matched = events.filter((e) => match(e.message));
      if (matched.length === 0) continue;
      const key = `${filter.filterName}\u0000${group}\u0000${stream}`;
      let entry = pending.get(key);
      if (!entry) {
        entry = { filter, stream, events: [] };
        pending.set(key, entry);
      }
      entry.events.push(...matched);
    }
  });

  const deliver = async (filter: LocalSubscriptionFilter, stream: string, events: LogEvent[]) => {
    const payload: SubscriptionPayload = {
      messageType: 'DATA_MESSAGE',
      owner: options.accountId,
      logGroup: filter.logGroupName,
      logStream: stream,
      subscriptionFilters: [filter.filterName],
      logEvents: events.map((e) => ({
        id: `${String(e.timestamp).padStart(20, '0')}${String(++eventCounter).padStart(36, '0')}`,
        timestamp: e.timestamp,
        message: e.message,
      })),
    };
    const result = await options.invoker.invoke(filter.destinationArn, encodeSubscriptionEvent(payload));
    if (!result.ok) {
      options.onError?.(
        `subscription ${filter.filterName} -> ${filter.destinationArn}: ${result.error.errorType}: ${result.error.errorMessage}`,
      );
    }
  };

  const flush = async () => {
    const batches = [...pending.values()];
    pending.clear();
    const waits: Promise<void>[] = [];
    for (const b of batches) {
      for (let i = 0; i < b.events.length; i += maxEvents) {
        const chunk = b.events.slice(i, i + maxEvents);
        const dest = b.filter.destinationArn;
        const next = (chains.get(dest) ?? Promise.resolve())
          .then(() => deliver(b.filter, b.stream, chunk))
          .catch((err) => options.onError?.(`subscription ${b.filter.filterName}: ${String(err)}`));
        chains.set(dest, next);
        waits.push(next);
      }
    }
    await Promise.all(waits);
  };

  let flushing: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (flushing || pending.size === 0) return;
    flushing = flush().finally(() => {
      flushing = undefined;
    });
  }, interval);
  timer.unref();

  return {
    flush: async () => {
      await flushing;
      await flush();
    },
    /** Stops capturing, then delivers what is still buffered and waits for every delivery to finish. */
    stop: async () => {
      clearInterval(timer);
      unsubscribe();
      await flushing;
      await flush();
      await Promise.all([...chains.values()]);
    },
  };
}
