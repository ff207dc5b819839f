/**
 * Shared pieces of the end-to-end suite: one synth for the whole suite (only when cdk.out is stale, under a
 * lock so parallel workers do not synthesize twice), booting the runtime on free ports with its state in a
 * temp dir, an HTTP client with dev tokens, and a collector of every saga event read from the broker.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { assemblyStaleness, ensureAssembly } from '../../local/assembly';
import { LocalJwt } from '../../local/http-api';
import { type Runtime, type RuntimeOptions, startRuntime } from '../../local/runtime/runtime';

export const ROOT = path.resolve(__dirname, '../..');
export const ASSEMBLY = path.join(ROOT, 'cdk.out');

/** Synthesizes cdk.out once for the suite when it is stale; workers wait on a lock directory. */
export async function ensureSuiteAssembly(): Promise<void> {
  if (!assemblyStaleness(ROOT, ASSEMBLY).stale) return;
  const lock = path.join(
    os.tmpdir(),
    `campusg-e2e-synth-${Buffer.from(ROOT).toString('hex').slice(-16)}.lock`,
  );
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // another worker synthesizes; a lock older than 4 minutes is stale
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 240_000)
          fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone already
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another worker to synthesize');
      await sleep(500);
      if (!assemblyStaleness(ROOT, ASSEMBLY).stale) return;
    }
  }
  try {
    if (assemblyStaleness(ROOT, ASSEMBLY).stale) {
      await ensureAssembly({ cwd: ROOT, assemblyDir: ASSEMBLY, output: 'pipe', log: () => {} });
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface Booted {
  readonly runtime: Runtime;
  readonly stateDir: string;
  readonly api: ApiClient;
  readonly output: string[];
}

/** Boots the runtime from the real cloud assembly on free ports, quiet, with its state in a temp dir. */
export async function boot(options: Partial<RuntimeOptions> & { stateDir?: string } = {}): Promise<Booted> {
  await ensureSuiteAssembly();
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-e2e-'));
  const output: string[] = [];
  const runtime = await startRuntime({
    cwd: ROOT,
    assemblyDir: ASSEMBLY,
    synth: false,
    kafkaPort: 0,
    httpPort: 0,
    awsPort: 0,
    quiet: true,
    stateDir,
    print: (l) => output.push(l),
    printError: (l) => output.push(l),
    ...options,
  });
  const jwt = await LocalJwt.load(stateDir);
  return { runtime, stateDir, output, api: new ApiClient(runtime.endpoints.http, jwt) };
}

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

export type Order = {
  orderId: string;
  status: string;
  cancelReason: string | null;
  totalCents: number;
  runnerId: string | null;
  history: { type: string; eventId: string }[];
} & Record<string, unknown>;

export class ApiClient {
  private readonly tokens = new Map<string, string>();
  constructor(
    readonly url: string,
    private readonly jwt: LocalJwt,
  ) {}

  async token(sub: string, group: 'customers' | 'runners'): Promise<string> {
    const key = `${sub}/${group}`;
    let t = this.tokens.get(key);
    if (!t) {
      t = await this.jwt.issueToken({ sub, groups: [group] });
      this.tokens.set(key, t);
    }
    return t;
  }

  async request<T = Record<string, unknown>>(
    method: string,
    route: string,
    as: { sub: string; group: 'customers' | 'runners' },
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.token(as.sub, as.group)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as T };
  }

  /**
   * POST /orders. With an Idempotency-Key, a 503 (a dependency failed transiently, `Retry-After: 1`) is
   * retried with the same key for up to 30 s, as docs/api.md tells a client to: a cold runtime on a busy
   * machine can answer it. Without a key the first answer is returned.
   */
  async createOrder(
    customer: string,
    opts: { totalCents?: number; paymentMethod?: string; key?: string } = {},
  ) {
    const cents = opts.totalCents ?? 900;
    const post = () =>
      this.request<Order>(
        'POST',
        '/orders',
        { sub: customer, group: 'customers' },
        {
          items: [{ name: 'Iced latte', quantity: 1, unitPriceCents: cents }],
          deliveryLocation: 'Library L2',
          paymentMethod: opts.paymentMethod ?? 'tok_visa',
        },
        opts.key ? { 'idempotency-key': opts.key } : {},
      );
    let r = await post();
    const end = Date.now() + 30_000;
    while (opts.key && r.status === 503 && Date.now() < end) {
      await sleep(1000);
      r = await post();
    }
    return r;
  }

  getOrder(orderId: string, customer: string) {
    return this.request<Order>('GET', `/orders/${orderId}`, { sub: customer, group: 'customers' });
  }

  command(
    orderId: string,
    action: 'accept' | 'complete' | 'cancel',
    who: { sub: string; group: 'customers' | 'runners' },
  ) {
    return this.request<Order>('POST', `/orders/${orderId}/${action}`, who);
  }

  notifications(user: string, group: 'customers' | 'runners') {
    return this.request<{ notifications: { orderId: string; sourceEventType: string; role: string }[] }>(
      'GET',
      `/users/${user}/notifications?limit=100`,
      { sub: user, group },
    );
  }
}

export interface SeenEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
  readonly event?: {
    id: string;
    type: string;
    source: string;
    correlationId: string;
    timestamp: string;
    payload: Record<string, unknown>;
  };
}

export const SAGA_TOPICS = [
  'order-events',
  'payment-events',
  'escrow-events',
  'timer-events',
  'notification-events',
  'dead-letters',
];

/** Reads every saga topic from the beginning and keeps what it saw, by order. */
export class EventCollector {
  readonly all: SeenEvent[] = [];
  private consumer?: Consumer;

  constructor(private readonly brokers: string) {}

  async start(topics = SAGA_TOPICS): Promise<this> {
    const kafka = new Kafka({
      clientId: 'e2e-collector',
      brokers: this.brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    this.consumer = kafka.consumer({
      groupId: `e2e-collector-${process.pid}-${Math.random().toString(36).slice(2)}`,
      maxWaitTimeInMs: 100,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: 8,
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        const value = message.value?.toString('utf8') ?? null;
        let event: SeenEvent['event'];
        try {
          const parsed = value ? JSON.parse(value) : undefined;
          if (parsed && typeof parsed.type === 'string') event = parsed;
        } catch {
          event = undefined;
        }
        this.all.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value,
          headers,
          event,
        });
      },
    });
    return this;
  }

  of(orderId: string): SeenEvent[] {
    return this.all.filter(
      (e) => e.event?.correlationId === orderId || e.event?.payload?.orderId === orderId,
    );
  }

  types(orderId: string): string[] {
    return this.of(orderId).map((e) => e.event!.type);
  }

  async waitFor(orderId: string, type: string, timeoutMs = 20_000): Promise<SeenEvent> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(orderId).find((e) => e.event?.type === type);
      if (found) return found;
      if (Date.now() > end) {
        throw new Error(
          `no ${type} for ${orderId} within ${timeoutMs} ms; saw ${this.types(orderId).join(', ')}`,
        );
      }
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
  }
}

export async function until<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Retries a command while the order is not yet in a state that allows it (409), e.g. accept right after TIMER_STARTED. */
export async function commandWhenReady(
  api: ApiClient,
  orderId: string,
  action: 'accept' | 'complete' | 'cancel',
  who: { sub: string; group: 'customers' | 'runners' },
  timeoutMs = 20_000,
): Promise<ApiResponse<Order>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await api.command(orderId, action, who);
    if (r.status !== 409 && r.status !== 503) return r;
    if (Date.now() > end) return r;
    await sleep(150);
  }
}

/** Distinct event ids per (order, type): at-least-once delivery may repeat a record, never a logical event. */
export function distinctIds(events: readonly SeenEvent[], orderId: string, type: string): string[] {
  return [
    ...new Set(
      events
        .filter(
          (e) =>
            e.event?.type === type &&
            (e.event.correlationId === orderId || e.event.payload?.orderId === orderId),
        )
        .map((e) => e.event!.id),
    ),
  ];
}
