/**
 * The console's JSON API (`/api/...`) and its server-sent event feeds. Every handler validates its input with
 * zod and answers bad input with 400 `{ error, message, details: [{ field, message }] }` naming the field, so
 * the UI can put the message next to the field. Orders are placed and moved through the same HTTP API a
 * client uses, with tokens minted locally (local/http-api/jwt.ts); nothing here writes a table directly.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSONPath } from 'jsonpath-plus';
import type { Admin, Producer } from 'kafkajs';
import * as z from 'zod';
import type { MappingView } from '#local/core/types';
import { orderIdOf, summarize, toSagaEvent } from '#local/inspect/saga';
import { ORDER_STATUSES } from '#shared/domain/order/machine';
import { parseEvent } from '../../shared/contracts';
import type { orderView } from '../../shared/domain/order/order';
import { scheduleNameFor } from '../../shared/domain/timer/scheduler';
import { DEAD_LETTER_TOPIC } from '../../shared/topology';
import type { LocalAppModel } from '../core/types';
import type { LocalJwt } from '../http-api/jwt';
import type {
  ClientOrder,
  ConsoleApi,
  DeadLetter,
  DeadLetterView,
  DecodedMessage,
  FireScheduleResponse,
  MappingInfo,
  TopicInfo,
} from './api-types';
import type { ConsoleLogs } from './logs';
import type { Marks } from './marks';
import { orderDetail } from './orders';
import { type ConsoleStore, REDRIVE_HEADER, type StoredRecord } from './store';

/** The Order API's answer, passed through to the UI, still fits the console's description of it. */
type Fits<T extends U, U> = T;
export type OrderViewFitsClientOrder = Fits<ReturnType<typeof orderView>, ClientOrder>;

export interface ApiContext {
  readonly store: ConsoleStore;
  readonly logs: ConsoleLogs;
  readonly model: LocalAppModel;
  readonly endpoints: { readonly http: string; readonly aws: string; readonly kafka: string };
  readonly mappings: readonly MappingView[];
  readonly jwt: LocalJwt;
  readonly admin: () => Promise<Admin>;
  readonly producer: () => Promise<Producer>;
  readonly marks: Marks;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

type Handler<T> = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  query: URLSearchParams,
) => Promise<T>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly keys: string[];
  readonly handle: Handler<unknown>;
}

/**
 * `GET /api/orders/:id` -> the method, a regex and its parameter names. The endpoint is a key of ConsoleApi
 * (api-types.ts), so the handler must answer what the UI is told it answers.
 */
function route<E extends keyof ConsoleApi>(endpoint: E, handle: Handler<ConsoleApi[E]>): Route {
  const [method, path] = endpoint.split(' ') as [string, string];
  const keys: string[] = [];
  const source = path.replace(/:([a-zA-Z]+)/g, (_m, k: string) => {
    keys.push(k);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}$`), keys, handle };
}

/** Parses with a zod schema; a failure becomes a 400 naming each bad field. */
export function check<T>(schema: z.ZodType<T>, input: unknown, where: 'body' | 'query'): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({
    field: i.path.map(String).join('.') || where,
    message: i.message,
  }));
  throw new HttpError(
    400,
    'BadRequest',
    `invalid ${where}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
    details,
  );
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1024 * 1024) throw new HttpError(413, 'PayloadTooLarge', 'body is larger than 1 MiB');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BadRequest', 'body is not JSON', [{ field: 'body', message: 'not JSON' }]);
  }
}

const queryObject = (q: URLSearchParams) => Object.fromEntries(q.entries());

/** A time given as epoch ms or an ISO date. */
const timeParam = z
  .string()
  .transform((s, ctx) => {
    const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (Number.isNaN(n)) {
      ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO date' });
      return z.NEVER;
    }
    return n;
  })
  .optional();
const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional();
const idParam = z
  .string()
  .min(1, 'required')
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _ . @ - only');

/** The order machine's statuses, and UNKNOWN for an order whose first event the console has not seen. */
const STATUSES = [...ORDER_STATUSES, 'UNKNOWN'] as const;

const OrdersQuery = z.object({
  status: z.enum(STATUSES).optional(),
  customer: z.string().max(64).optional(),
  runner: z.string().max(64).optional(),
  since: timeParam,
  until: timeParam,
  limit: intParam(1, 1000),
  offset: intParam(0, 10_000_000),
});

const CreateOrder = z.object({
  customerId: idParam,
  items: z
    .array(
      z.object({
        name: z.string().min(1, 'required').max(100),
        quantity: z.number().int('a whole number').min(1, 'at least 1').max(99, 'at most 99'),
        unitPriceCents: z.number().int('whole cents').min(1, 'at least 1 cent').max(1_000_000),
      }),
    )
    .min(1, 'at least one item'),
  deliveryLocation: z.string().min(1, 'required').max(200),
  paymentMethod: z.string().min(1, 'required').max(64),
});

const MessagesQuery = z.object({
  partition: intParam(0, 10_000),
  fromOffset: intParam(0, Number.MAX_SAFE_INTEGER),
  toOffset: intParam(0, Number.MAX_SAFE_INTEGER),
  key: z.string().max(200).optional(),
  type: z.string().max(100).optional(),
  orderId: z.string().max(200).optional(),
  since: timeParam,
  until: timeParam,
  jsonPath: z.string().max(500).optional(),
  limit: intParam(1, 500),
  /** `<partition>:<offset>`: where the previous page stopped. */
  cursor: z
    .string()
    .regex(/^\d+:\d+$/, 'expected <partition>:<offset> from the previous page')
    .optional(),
});

const Produce = z.object({
  key: z.string().max(1000).nullable().optional(),
  value: z.string().min(1, 'required').max(1_000_000),
});

const Ids = z.object({ ids: z.array(z.string().regex(/^\d+@\d+$/, 'expected <partition>@<offset>')).min(1) });
const Redrive = Ids.extend({
  /** The edited value (text) to send instead of the original bytes; only with one id. */
  value: z.string().max(1_000_000).optional(),
  key: z.string().max(1000).nullable().optional(),
  /** Re-drive again a dead letter that was re-driven before. */
  force: z.boolean().optional(),
});

const LogsQuery = z.object({
  fn: z.string().max(140).optional(),
  level: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
  orderId: z.string().max(200).optional(),
  text: z.string().max(200).optional(),
  after: intParam(0, Number.MAX_SAFE_INTEGER),
  limit: intParam(1, 2000),
});

const FireSchedule = z.object({
  name: z.string().min(1, 'required').max(64),
  /** Default: the group of the pending schedule of that name. */
  group: z.string().min(1).max(64).optional(),
});

const ResetGroup = z
  .object({
    topic: z.string().min(1, 'required'),
    to: z.enum(['earliest', 'latest', 'timestamp']),
    timestamp: z.number().int().nonnegative().optional(),
    /** The group id typed again: a reset moves a live consumer, so it is never done by a stray click. */
    confirm: z.string(),
  })
  .refine((b) => b.to !== 'timestamp' || b.timestamp !== undefined, {
    path: ['timestamp'],
    message: 'required when to is timestamp',
  });

/** The order of an event-looking message, for filters: correlation id, payload orderId, else the key. */
function orderOfRecord(topic: string, r: StoredRecord): string | undefined {
  const e = toSagaEvent({ ...r, topic });
  return e ? orderIdOf(e) : (r.key ?? undefined);
}

function decodeRecord(topic: string, r: StoredRecord): DecodedMessage {
  const e = toSagaEvent({ ...r, topic });
  let json: unknown;
  if (!e && r.value !== null) {
    try {
      json = JSON.parse(r.value);
    } catch {
      json = undefined;
    }
  }
  return {
    topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key,
    headers: r.headers,
    value: r.value,
    envelope: e
      ? {
          id: e.id,
          type: e.type,
          source: e.source,
          correlationId: e.correlationId,
          time: new Date(e.time).toISOString(),
          summary: summarize(e),
          payload: e.payload,
        }
      : undefined,
    json,
  };
}

/** Index of the first record with offset >= `offset` (records are in offset order). */
function lowerBound(list: readonly StoredRecord[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Records one page request looks at at most; the answer's `next` cursor continues from there. */
const SCAN_BUDGET = 20_000;
const TIME_BUDGET_MS = 50;

/**
 * The last answer of `fetch`, refreshed in the background once older than `ttlMs` (only the first call
 * waits): the overview's broker and Scheduler probes, which a polling page would otherwise repeat each time.
 */
function staleWhileRevalidate<T>(fetch: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let value: { at: number; v: T } | undefined;
  let pending: Promise<T> | undefined;
  const refresh = () =>
    (pending ??= fetch().then((v) => {
      value = { at: Date.now(), v };
      pending = undefined;
      return v;
    }));
  return async () => {
    if (!value) return refresh();
    if (Date.now() - value.at > ttlMs) void refresh();
    return value.v;
  };
}

export function routes(ctx: ApiContext): Route[] {
  const { store, model } = ctx;
  const topicNames = () => store.topicNames();
  const requireTopic = (name: string) => {
    if (!topicNames().includes(name))
      throw new HttpError(
        404,
        'NotFound',
        `topic ${name} is not one the console reads (${topicNames().join(', ')})`,
      );
  };

  /**
   * A call to the Order HTTP API as a customer or runner. A 2xx body is the API's orderView (a ClientOrder);
   * any other goes back to the UI with its status, as an error.
   */
  async function clientApi(
    method: string,
    path: string,
    as: { sub: string; group: 'customers' | 'runners' },
    body?: unknown,
  ): Promise<{ status: number; body: ClientOrder }> {
    const token = await ctx.jwt.issueToken({ sub: as.sub, groups: [as.group], ttlSeconds: 300 });
    const res = await fetch(`${ctx.endpoints.http}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // passed on as text
    }
    return { status: res.status, body: json as ClientOrder };
  }

  async function schedulerControl(method: string, what: string, body?: unknown): Promise<Response> {
    return fetch(`${ctx.endpoints.aws}/_campusg/scheduler/${what}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
  }

  /**
   * Every consumer of a topic dead-letters a poison record on its own, so one record can have several dead
   * letters; re-driving one sends the record to every consumer again, so the others count as re-driven too.
   */
  function redriveOfOrigin(d: DeadLetter) {
    for (const other of store.siblings(d)) {
      if (other.id === d.id) continue;
      const r = store.redriveOf(other.id) ?? ctx.marks.get(other.id)?.redrive;
      if (r) return { ...r, via: other.id };
    }
    return undefined;
  }

  function deadLetterView(d: DeadLetter): DeadLetterView {
    const mark = ctx.marks.get(d.id);
    const redrive = store.redriveOf(d.id) ?? mark?.redrive ?? redriveOfOrigin(d);
    return {
      ...d,
      status: redrive ? 'redriven' : mark?.discardedAt ? 'discarded' : 'open',
      redrive,
      discardedAt: mark?.discardedAt,
    };
  }

  const brokerHealth = staleWhileRevalidate(async (): Promise<{ ok: boolean; message?: string }> => {
    try {
      await (await ctx.admin()).listTopics();
      return { ok: true };
    } catch (err) {
      return { ok: false, message: String(err) };
    }
  }, 2000);
  const schedulerHealth = staleWhileRevalidate(
    async (): Promise<{ ok: boolean; pending?: number; message?: string }> => {
      try {
        const res = await schedulerControl('GET', 'pending');
        const body = (await res.json()) as { pending: unknown[] };
        return { ok: res.ok, pending: body.pending?.length };
      } catch (err) {
        return { ok: false, message: String(err) };
      }
    },
    1000,
  );

  return [
    route('GET /api/health', async () => ({ ok: true })),

    route('GET /api/overview', async () => {
      const [broker, scheduler] = await Promise.all([brokerHealth(), schedulerHealth()]);
      const byStatus: Record<string, number> = {};
      for (const o of store.allOrders()) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
      const dls = store.allDeadLetters().map(deadLetterView);
      return {
        health: {
          broker,
          functions: { ok: true, count: model.functions.length },
          mappings: {
            ok: ctx.mappings.every((m) => !m.stats.lastError || m.stats.failedInvocations === 0),
            count: ctx.mappings.length,
            failing: ctx.mappings
              .filter((m) => m.stats.failedInvocations > 0)
              .map((m) => m.mapping.consumerGroupId),
          },
          tables: { ok: true, count: model.tables.length, names: model.tables.map((t) => t.tableName) },
          scheduler,
        },
        topics: topicNames().map((name) => ({ name, records: store.recordCount(name) })),
        deadLetters: { total: dls.length, open: dls.filter((d) => d.status === 'open').length },
        orders: { total: store.orderCount(), byStatus },
        recent: store.recentSagaEvents(50).map((e) => ({
          orderId: orderIdOf(e),
          type: e.type,
          topic: e.topic,
          source: e.source,
          time: new Date(e.time).toISOString(),
          summary: summarize(e),
        })),
      };
    }),

    route('GET /api/orders', async (_req, _res, _p, q) => {
      const f = check(OrdersQuery, queryObject(q), 'query');
      const matches = [];
      for (const o of store.allOrders()) {
        if (f.status && o.status !== f.status) continue;
        if (f.customer && o.customerId !== f.customer) continue;
        if (f.runner && o.runnerId !== f.runner) continue;
        if (f.since !== undefined && o.createdAt < f.since) continue;
        if (f.until !== undefined && o.createdAt > f.until) continue;
        matches.push(o);
      }
      matches.sort((a, b) => b.createdAt - a.createdAt);
      const offset = f.offset ?? 0;
      const limit = f.limit ?? 100;
      return {
        total: matches.length,
        orders: matches.slice(offset, offset + limit).map((o) => ({
          ...o,
          createdAt: new Date(o.createdAt).toISOString(),
          updatedAt: new Date(o.updatedAt).toISOString(),
        })),
      };
    }),

    route('GET /api/orders/:id', async (_req, _res, p) => {
      const order = store.order(p.id!);
      if (!order) throw new HttpError(404, 'NotFound', `no saga events for order ${p.id} on the topics`);
      const detail = orderDetail(order, store.orderEvents(p.id!), (r) =>
        store.invalidReason(r.topic, r.partition, r.offset),
      );
      const logs = ctx.logs.query({ orderId: p.id, limit: 500 });
      return {
        ...detail,
        order: {
          ...order,
          createdAt: new Date(order.createdAt).toISOString(),
          updatedAt: new Date(order.updatedAt).toISOString(),
        },
        logs,
      };
    }),

    route('POST /api/orders', async (req, res) => {
      const b = check(CreateOrder, await readJson(req), 'body');
      const { customerId, ...input } = b;
      const r = await clientApi('POST', '/orders', { sub: customerId, group: 'customers' }, input);
      res.statusCode = r.status;
      return r.body;
    }),

    route('POST /api/orders/:id/:action', async (req, res, p) => {
      const action = check(z.enum(['accept', 'complete', 'cancel']), p.action, 'query');
      const b = check(z.object({ actorId: idParam }), await readJson(req), 'body');
      const group = action === 'cancel' ? 'customers' : 'runners';
      const r = await clientApi(
        'POST',
        `/orders/${encodeURIComponent(p.id!)}/${action}`,
        { sub: b.actorId, group },
        {},
      );
      res.statusCode = r.status;
      return r.body;
    }),

    route('GET /api/topics', async () => {
      const admin = await ctx.admin();
      const out: TopicInfo[] = [];
      for (const name of topicNames()) {
        const spec = model.topics.find((t) => t.name === name);
        let offsets: { partition: number; low: string; high: string }[] = [];
        try {
          offsets = await admin.fetchTopicOffsets(name);
        } catch {
          offsets = [];
        }
        out.push({
          name,
          partitions: offsets
            .map((o) => {
              const list = store.partition(name, o.partition);
              return {
                partition: o.partition,
                low: Number(o.low),
                high: Number(o.high),
                records: Number(o.high) - Number(o.low),
                windowFrom: list[0]?.offset,
                bytes: store.partitionSize(name, o.partition),
              };
            })
            .sort((a, b) => a.partition - b.partition),
          retentionMs:
            spec?.configs['retention.ms'] !== undefined ? Number(spec.configs['retention.ms']) : undefined,
          configs: spec?.configs ?? {},
        });
      }
      return { topics: out };
    }),

    route('GET /api/topics/:name/messages', async (_req, _res, p, q) => {
      const name = p.name!;
      requireTopic(name);
      const f = check(MessagesQuery, queryObject(q), 'query');
      if (f.jsonPath !== undefined && !f.jsonPath.startsWith('$'))
        throw new HttpError(400, 'BadRequest', 'jsonPath must start with $', [
          { field: 'jsonPath', message: 'must start with $, e.g. $.items[?(@.quantity > 1)]' },
        ]);
      const limit = f.limit ?? 50;
      const parts =
        f.partition !== undefined
          ? [f.partition]
          : Array.from({ length: store.partitionCount(name) }, (_v, i) => i);
      let [cp, co] = f.cursor ? f.cursor.split(':').map(Number) : [parts[0] ?? 0, f.fromOffset ?? 0];
      const out: DecodedMessage[] = [];
      let scanned = 0;
      let next: string | undefined;
      // A page stops at `limit` matches, SCAN_BUDGET records or TIME_BUDGET_MS, whichever comes first; `next`
      // continues from there, so a rare match is found page by page and no request holds the process.
      const deadline = performance.now() + TIME_BUDGET_MS;
      for (const part of parts) {
        if (part < cp!) continue;
        const list = store.partition(name, part);
        const from = part === cp ? Math.max(co!, f.fromOffset ?? 0) : (f.fromOffset ?? 0);
        let i = lowerBound(list, from);
        for (; i < list.length; i++) {
          const r = list[i]!;
          if (f.toOffset !== undefined && r.offset > f.toOffset) break;
          if (out.length >= limit || scanned >= SCAN_BUDGET || performance.now() > deadline) {
            next = `${part}:${r.offset}`;
            break;
          }
          scanned++;
          if (f.key !== undefined && r.key !== f.key) continue;
          if (f.since !== undefined && r.timestamp < f.since) continue;
          if (f.until !== undefined && r.timestamp > f.until) continue;
          if (f.orderId !== undefined && !(r.key === f.orderId || r.value?.includes(f.orderId))) continue;
          if (f.orderId !== undefined && orderOfRecord(name, r) !== f.orderId) continue;
          if (f.type !== undefined && !r.value?.includes(`"${f.type}"`)) continue;
          if (f.jsonPath !== undefined) {
            // the path runs on the payload of an envelope, else on the whole JSON value
            let target: unknown;
            try {
              const json = r.value === null ? undefined : (JSON.parse(r.value) as unknown);
              const payload = (json as { payload?: unknown } | null)?.payload;
              target = payload !== null && typeof payload === 'object' ? payload : json;
            } catch {
              continue;
            }
            if (target === null || typeof target !== 'object') continue;
            let found: unknown[];
            try {
              found = JSONPath({ path: f.jsonPath, json: target as object, wrap: true }) as unknown[];
            } catch (err) {
              throw new HttpError(400, 'BadRequest', `jsonPath: ${(err as Error).message}`, [
                { field: 'jsonPath', message: (err as Error).message },
              ]);
            }
            if (!Array.isArray(found) || found.length === 0) continue;
          }
          const d = decodeRecord(name, r);
          if (f.type !== undefined && d.envelope?.type !== f.type) continue;
          out.push(d);
        }
        if (next) break;
        co = 0;
      }
      // Where the scan stands among the records in range, so the UI can say "scanned N of M" while it
      // follows `next` page after page; binary searches only, however long the partitions are.
      const inRange = (part: number, before = Number.POSITIVE_INFINITY) => {
        const list = store.partition(name, part);
        const from = lowerBound(list, f.fromOffset ?? 0);
        const to = lowerBound(list, Math.min(before, (f.toOffset ?? Number.POSITIVE_INFINITY) + 1));
        return Math.max(0, to - from);
      };
      const total = parts.reduce((n, part) => n + inRange(part), 0);
      let position = total;
      if (next) {
        const [np, no] = next.split(':').map(Number) as [number, number];
        position = parts.reduce(
          (n, part) => n + (part < np ? inRange(part) : part === np ? inRange(part, no) : 0),
          0,
        );
      }
      return { messages: out, next, scanned, total, position };
    }),

    route('POST /api/topics/:name/messages', async (req, _res, p) => {
      const name = p.name!;
      requireTopic(name);
      const b = check(Produce, await readJson(req), 'body');
      const parsed = parseEvent(b.value);
      if (!parsed.ok) {
        const problems = parsed.error.problems;
        throw new HttpError(
          400,
          'InvalidEvent',
          `value is not a valid event: ${parsed.error.message}`,
          problems.length
            ? problems.map((pr) => ({ field: `value${pr.path ? `.${pr.path}` : ''}`, message: pr.message }))
            : [{ field: 'value', message: parsed.error.message }],
        );
      }
      const producer = await ctx.producer();
      const key = b.key === undefined ? (parsed.event.correlationId ?? null) : b.key;
      const [meta] = await producer.send({ topic: name, messages: [{ key, value: b.value }] });
      return { topic: name, partition: meta?.partition, offset: Number(meta?.baseOffset ?? -1) };
    }),

    route('GET /api/mappings', async () => {
      const admin = await ctx.admin();
      const out: MappingInfo[] = [];
      for (const m of ctx.mappings) {
        const map = m.mapping;
        let partitions: { partition: number; committed?: number; end: number; lag?: number }[] = [];
        try {
          const [ends, committed] = await Promise.all([
            admin.fetchTopicOffsets(map.topic),
            admin.fetchOffsets({ groupId: map.consumerGroupId, topics: [map.topic] }),
          ]);
          const c = new Map(committed[0]?.partitions.map((x) => [x.partition, Number(x.offset)]) ?? []);
          partitions = ends
            .map((e) => {
              const co = c.get(e.partition);
              const committedOffset = co === undefined || co < 0 ? undefined : co;
              const end = Number(e.high);
              return {
                partition: e.partition,
                committed: committedOffset,
                end,
                lag: end - (committedOffset ?? Number(e.low)),
              };
            })
            .sort((a, b) => a.partition - b.partition);
        } catch {
          partitions = [];
        }
        out.push({
          logicalId: map.logicalId,
          functionName: map.functionArn.split(':').pop(),
          topic: map.topic,
          groupId: map.consumerGroupId,
          batchSize: map.batchSize,
          bisectBatchOnFunctionError: map.bisectBatchOnFunctionError,
          maximumRetryAttempts: map.maximumRetryAttempts,
          onFailureDestination: map.onFailureDestination,
          stats: { ...m.stats, retries: m.stats.retries ?? 0, bisects: m.stats.bisects ?? 0 },
          queued: m.queued(),
          partitions,
        });
      }
      return { mappings: out };
    }),

    route('POST /api/groups/:groupId/reset', async (req, _res, p) => {
      const groupId = decodeURIComponent(p.groupId!);
      const b = check(ResetGroup, await readJson(req), 'body');
      if (b.confirm !== groupId)
        throw new HttpError(400, 'BadRequest', `type the group id ${groupId} to confirm`, [
          { field: 'confirm', message: `type ${groupId} to confirm the reset` },
        ]);
      requireTopic(b.topic);
      const admin = await ctx.admin();
      try {
        if (b.to === 'timestamp') {
          const offsets = await admin.fetchTopicOffsetsByTimestamp(b.topic, b.timestamp);
          await admin.setOffsets({
            groupId,
            topic: b.topic,
            partitions: offsets.map((o) => ({ partition: o.partition, offset: o.offset })),
          });
        } else {
          await admin.resetOffsets({ groupId, topic: b.topic, earliest: b.to === 'earliest' });
        }
      } catch (err) {
        const message = (err as Error).message;
        throw new HttpError(
          409,
          'GroupActive',
          /running|active|member/i.test(message) || (err as { type?: string }).type === 'UNKNOWN_MEMBER_ID'
            ? `group ${groupId} has active members (a running mapping); Kafka resets only an empty group: stop the runtime's consumer first (${message})`
            : `resetting ${groupId} failed: ${message}`,
        );
      }
      const [committed] = await admin.fetchOffsets({ groupId, topics: [b.topic] });
      return { groupId, topic: b.topic, partitions: committed?.partitions ?? [] };
    }),

    route('GET /api/dead-letters', async (_req, _res, _p, q) => {
      const f = check(
        z.object({ status: z.enum(['open', 'redriven', 'discarded', 'all']).optional() }),
        queryObject(q),
        'query',
      );
      const all = store.allDeadLetters().map(deadLetterView);
      const list = f.status && f.status !== 'all' ? all.filter((d) => d.status === f.status) : all;
      return { total: all.length, deadLetters: list.slice().reverse() };
    }),

    route('GET /api/dead-letters/:id', async (_req, _res, p) => {
      const d = store.deadLetter(p.id!);
      if (!d) throw new HttpError(404, 'NotFound', `no dead letter ${p.id} on ${DEAD_LETTER_TOPIC}`);
      return deadLetterView(d);
    }),

    route('POST /api/dead-letters/redrive', async (req) => {
      const b = check(Redrive, await readJson(req), 'body');
      if ((b.value !== undefined || b.key !== undefined) && b.ids.length !== 1)
        throw new HttpError(400, 'BadRequest', 'an edited value or key goes with exactly one id', [
          { field: 'ids', message: 'edit one dead letter at a time' },
        ]);
      if (b.value !== undefined) {
        const parsed = parseEvent(b.value);
        if (!parsed.ok)
          throw new HttpError(
            400,
            'InvalidEvent',
            `the edited value is not a valid event: ${parsed.error.message}`,
            parsed.error.problems.length
              ? parsed.error.problems.map((pr) => ({
                  field: `value${pr.path ? `.${pr.path}` : ''}`,
                  message: pr.message,
                }))
              : [{ field: 'value', message: parsed.error.message }],
          );
      }
      const found = b.ids.map((id) => {
        const d = store.deadLetter(id);
        if (!d)
          throw new HttpError(404, 'NotFound', `no dead letter ${id}`, [
            { field: 'ids', message: `no dead letter ${id}` },
          ]);
        return d;
      });
      const again = found.filter((d) => deadLetterView(d).status === 'redriven');
      if (again.length > 0 && !b.force)
        throw new HttpError(
          409,
          'AlreadyRedriven',
          `already re-driven: ${again.map((d) => d.id).join(', ')}; pass force to send again`,
          [{ field: 'ids', message: `already re-driven: ${again.map((d) => d.id).join(', ')}` }],
        );
      for (const d of found) {
        if (!topicNames().includes(d.origin.topic))
          throw new HttpError(400, 'BadRequest', `origin topic ${d.origin.topic} of ${d.id} is unknown`);
      }
      const producer = await ctx.producer();
      const results = [];
      for (const d of found) {
        const value =
          b.value !== undefined
            ? b.value
            : d.valueBase64 === null
              ? null
              : Buffer.from(d.valueBase64, 'base64');
        const key =
          b.key !== undefined ? b.key : d.keyBase64 === null ? null : Buffer.from(d.keyBase64, 'base64');
        const [meta] = await producer.send({
          topic: d.origin.topic,
          messages: [{ key, value, headers: { [REDRIVE_HEADER]: `${DEAD_LETTER_TOPIC}/${d.id}` } }],
        });
        const at = { topic: d.origin.topic, partition: meta!.partition, offset: Number(meta!.baseOffset) };
        store.markRedriven(d.id, at);
        ctx.marks.redriven(d.id, at);
        results.push({ id: d.id, ...at });
      }
      return { redriven: results };
    }),

    route('POST /api/dead-letters/discard', async (req) => {
      const b = check(Ids, await readJson(req), 'body');
      for (const id of b.ids)
        if (!store.deadLetter(id))
          throw new HttpError(404, 'NotFound', `no dead letter ${id}`, [
            { field: 'ids', message: `no dead letter ${id}` },
          ]);
      for (const id of b.ids) ctx.marks.discard(id);
      return { discarded: b.ids };
    }),

    route('GET /api/schedules', async () => {
      const res = await schedulerControl('GET', 'pending');
      if (!res.ok)
        throw new HttpError(502, 'SchedulerUnavailable', `the local Scheduler answered ${res.status}`);
      const { pending } = (await res.json()) as {
        pending: { name: string; groupName: string; dueAt: number }[];
      };
      const now = Date.now();
      type Entry = { orderId: string; name: string; deadline?: string };
      const fired: Entry[] = [];
      const deleted: Entry[] = [];
      for (const o of store.allOrders()) {
        const t = o.timer;
        if (!t || t.state === 'pending') continue;
        const entry = { orderId: o.orderId, name: scheduleNameFor(o.orderId), deadline: t.deadline };
        (t.state === 'fired' ? fired : deleted).push(entry);
      }
      return {
        pending: pending
          .map((p) => ({
            name: p.name,
            group: p.groupName,
            dueAt: new Date(p.dueAt).toISOString(),
            msLeft: Math.max(0, p.dueAt - now),
            orderId: p.name.startsWith('accept-') ? p.name.slice('accept-'.length) : undefined,
          }))
          .sort((a, b) => a.msLeft - b.msLeft),
        fired: fired.slice(-500),
        deleted: deleted.slice(-500),
      };
    }),

    route('POST /api/schedules/fire', async (req) => {
      const b = check(FireSchedule, await readJson(req), 'body');
      let group = b.group;
      if (group === undefined) {
        const pending = (await (await schedulerControl('GET', 'pending')).json()) as {
          pending: { name: string; groupName: string }[];
        };
        group = pending.pending.find((p) => p.name === b.name)?.groupName;
        if (!group)
          throw new HttpError(404, 'NotFound', `no pending schedule ${b.name} (fired, deleted or unknown)`, [
            { field: 'name', message: 'not pending' },
          ]);
      }
      const res = await schedulerControl('POST', 'fire', { name: b.name, group });
      const body = (await res.json().catch(() => ({}))) as FireScheduleResponse;
      if (res.status === 404)
        throw new HttpError(
          404,
          'NotFound',
          `no pending schedule ${group}/${b.name} (fired, deleted or unknown)`,
          [{ field: 'name', message: 'not pending' }],
        );
      if (!res.ok) throw new HttpError(502, 'SchedulerError', `firing failed: ${JSON.stringify(body)}`);
      return body;
    }),

    route('GET /api/functions', async () => ({
      functions: model.functions.map((f) => ({
        name: f.functionName,
        constructId: f.constructId,
        logGroupName: f.logGroupName,
        service: f.environment.CAMPUSG_SERVICE,
      })),
    })),

    route('GET /api/logs', async (_req, _res, _p, q) => {
      const f = check(LogsQuery, queryObject(q), 'query');
      if (f.fn && !ctx.logs.functions().includes(f.fn))
        throw new HttpError(400, 'BadRequest', `no function ${f.fn}`, [
          { field: 'fn', message: 'unknown function' },
        ]);
      return { lines: ctx.logs.query(f) };
    }),

    route('GET /api/logs/stats', async () => ({ functions: ctx.logs.stats() })),
  ];
}

export const LogsStreamQuery = LogsQuery;
export { decodeRecord };
