/**
 * What each console endpoint answers, as TypeScript types: the one description the server and the UI share.
 * The server's route table (api.ts) is keyed by `ConsoleApi`, so every handler is checked against its
 * answer here; the UI (ui/*.tsx) imports these with `import type`, which esbuild drops from the bundle.
 * Types only; its few `import type`s (the domain's statuses, the trace's row) are erased too, and the UI's
 * typecheck (DOM, no Node types) reads them. Times the server keeps as epoch ms go out as ISO strings unless a field says otherwise.
 */
import type { TimelineRow as SagaTimelineRow } from '#local/inspect/saga';
import type { OrderStatus } from '#shared/domain/order/machine';

/** Every 4xx/5xx answer: `details` names each bad field, so a form can show the message next to it. */

export interface ApiErrorBody {
  readonly error: string;
  readonly message: string;
  readonly details: readonly FieldProblem[];
}

export interface FieldProblem {
  /** A body or query field, dotted for nested ones (`items.0.quantity`, `value.payload.totalCents`). */
  readonly field: string;
  readonly message: string;
}

/** The order state machine's statuses (shared/domain/order/machine.ts is the one list). */
export type { OrderStatus };

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

// ---- overview and the live feed ----

/** One saga event as the overview's feed shows it (`recent`, and `saga` events on `/api/stream`). */
export interface SagaFeedEvent {
  readonly orderId?: string;
  readonly type: string;
  readonly topic: string;
  readonly source: string;
  readonly time: string;
  readonly summary: string;
}

/** A `dead-letter` event on `/api/stream`: a new dead letter arrived. */
export interface DeadLetterFeedEvent {
  readonly id: string;
  readonly reason: string;
}

export interface HealthResponse {
  readonly ok: boolean;
}

export interface OverviewResponse {
  readonly health: {
    readonly broker: { readonly ok: boolean; readonly message?: string };
    readonly functions: { readonly ok: boolean; readonly count: number };
    /** `failing`: the consumer groups of mappings with failed invocations. */
    readonly mappings: { readonly ok: boolean; readonly count: number; readonly failing: readonly string[] };
    readonly tables: { readonly ok: boolean; readonly count: number; readonly names: readonly string[] };
    readonly scheduler: { readonly ok: boolean; readonly pending?: number; readonly message?: string };
  };
  readonly topics: readonly { readonly name: string; readonly records: number }[];
  readonly deadLetters: { readonly total: number; readonly open: number };
  readonly orders: { readonly total: number; readonly byStatus: Readonly<Record<string, number>> };
  /** The latest saga events, oldest first. */
  readonly recent: readonly SagaFeedEvent[];
}

// ---- orders ----

/** One order as the topics tell it. */
export interface OrderRow {
  readonly orderId: string;
  readonly status: OrderStatus | 'UNKNOWN';
  readonly customerId?: string;
  readonly runnerId?: string;
  readonly totalCents?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Saga events seen for it. */
  readonly events: number;
  readonly timer?: { readonly state: 'pending' | 'fired' | 'deleted'; readonly deadline?: string };
}

export interface OrdersResponse {
  /** Orders matching the filters (the page is `orders`). */
  readonly total: number;
  readonly orders: readonly OrderRow[];
}

/** One event of an order's timeline: `campusg trace`'s row (local/inspect/saga.ts), read-only. */
export type TimelineRow = Readonly<Omit<SagaTimelineRow, 'payload'>> & {
  readonly payload: Readonly<Record<string, unknown>>;
  /**
   * Why the record is not a valid event, when it is not: the services dead-letter it, so it moves neither the
   * status, the schedule nor the money.
   */
  readonly invalid?: string;
};

/** An order's money in cents, as its events tell it. */
export interface Money {
  authorized: number;
  held: number;
  captured: number;
  voided: number;
  released: number;
  refunded: number;
  /** authorized − captured − voided: what the card still has on hold. */
  openAuthorization: number;
  /** held − released − refunded: what escrow still holds. */
  openEscrow: number;
  /** Both open amounts are zero (an order at rest owes nobody anything). */
  balanced: boolean;
}

/** The order's acceptance-deadline schedule as its events tell it. */
export interface ScheduleFacts {
  readonly name: string;
  readonly deadline?: string;
  /** pending: TIMER_STARTED and nothing after; fired: ORDER_TIMEOUT; deleted: TIMER_CANCELLED. */
  readonly state: 'none' | 'pending' | 'fired' | 'deleted';
}

export interface Notification {
  readonly time: string;
  readonly role: string;
  readonly userId: string;
  readonly title: string;
  readonly source: string;
}

/** A function's log line; `time` is epoch ms, `seq` orders lines across functions. */
export interface LogLine {
  readonly seq: number;
  readonly fn: string;
  readonly time: number;
  readonly level?: LogLevel;
  readonly message: string;
}

export interface OrderDetailResponse {
  readonly order: OrderRow;
  readonly timeline: readonly TimelineRow[];
  /** The statuses the order went through, in order. */
  readonly path: readonly OrderStatus[];
  /** The order state machine's edges. */
  readonly machine: readonly { readonly from: string; readonly to: string; readonly on: string }[];
  readonly money: Money;
  readonly notifications: readonly Notification[];
  readonly schedule: ScheduleFacts;
  /** Log lines of every function that name the order. */
  readonly logs: readonly LogLine[];
}

/**
 * The Order HTTP API's answer, passed through by `POST /api/orders` and `POST /api/orders/:id/:action`
 * (shared/domain/order/order.ts orderView; api.ts checks that it still fits this type).
 */
export interface ClientOrder {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly customerId: string;
  readonly runnerId: string | null;
  readonly items: readonly {
    readonly name: string;
    readonly quantity: number;
    readonly unitPriceCents: number;
  }[];
  readonly totalCents: number;
  readonly deliveryLocation: string;
  readonly cancelReason: string | null;
  readonly paymentId: string | null;
  readonly holdId: string | null;
  readonly acceptDeadline: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly {
    readonly type: string;
    readonly eventId: string;
    readonly at: string;
    readonly source: string;
    readonly effect: 'applied' | 'recorded';
    readonly status: OrderStatus;
  }[];
}

// ---- topics ----

export interface TopicPartitionInfo {
  readonly partition: number;
  readonly low: number;
  readonly high: number;
  /** high − low: records the broker keeps. */
  readonly records: number;
  /** The first offset in the console's in-memory window, if it holds any. */
  readonly windowFrom?: number;
  /** Key and value characters in the console's window. */
  readonly bytes: number;
}

export interface TopicInfo {
  readonly name: string;
  readonly partitions: readonly TopicPartitionInfo[];
  /** From the template's `retention.ms`; negative = forever; absent = the broker's default. */
  readonly retentionMs?: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicsResponse {
  readonly topics: readonly TopicInfo[];
}

/** A record of a topic, its event envelope decoded when it is one. */
export interface DecodedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch ms. */
  readonly timestamp: number;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: string | null;
  readonly envelope?: {
    readonly id?: string;
    readonly type: string;
    readonly source: string;
    readonly correlationId?: string;
    readonly time: string;
    readonly summary: string;
    readonly payload: Readonly<Record<string, unknown>>;
  };
  /** The value parsed as JSON when it is JSON but not an event. */
  readonly json?: unknown;
}

export interface MessagesResponse {
  readonly messages: readonly DecodedMessage[];
  /** `<partition>:<offset>` to pass as `cursor` for the next page; absent on the last one. */
  readonly next?: string;
  /** Records looked at for this page. */
  readonly scanned: number;
  /** Records in the asked range (partition, from/to offset) across the topic, filters aside. */
  readonly total: number;
  /** Of those, how many lie before where this page stopped (`total` on the last page). */
  readonly position: number;
}

export interface ProduceResponse {
  readonly topic: string;
  readonly partition?: number;
  readonly offset: number;
}

// ---- mappings and consumer groups ----

export interface MappingStats {
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly recordsDelivered: number;
  readonly recordsSentToDestination: number;
  readonly lastError?: string;
  readonly retries: number;
  readonly bisects: number;
  /** `at` is epoch ms. */
  readonly lastBatch?: {
    readonly at: number;
    readonly partition: number;
    readonly firstOffset: number;
    readonly lastOffset: number;
    readonly records: number;
  };
}

export interface MappingInfo {
  readonly logicalId: string;
  readonly functionName?: string;
  readonly topic: string;
  readonly groupId: string;
  readonly batchSize: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly maximumRetryAttempts: number;
  readonly onFailureDestination?: string;
  readonly stats: MappingStats;
  /** Batches fetched and waiting for an invocation. */
  readonly queued: number;
  readonly partitions: readonly {
    readonly partition: number;
    readonly committed?: number;
    readonly end: number;
    readonly lag?: number;
  }[];
}

export interface MappingsResponse {
  readonly mappings: readonly MappingInfo[];
}

export interface ResetGroupResponse {
  readonly groupId: string;
  readonly topic: string;
  /** The group's committed offsets after the reset (Kafka's strings). */
  readonly partitions: readonly { readonly partition: number; readonly offset: string }[];
}

// ---- dead letters ----

/** A record a consumer gave up on, as the dead-letters topic holds it. */
export interface DeadLetter {
  /** `<partition>@<offset>` on the dead-letters topic. */
  readonly id: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch ms. */
  readonly time: number;
  readonly reason: string;
  readonly error: string;
  readonly consumer: string;
  readonly origin: { topic: string; partition: number; offset: number; timestamp?: number };
  /** The original key and value as base64 (exactly the bytes that were on the origin topic)... */
  readonly keyBase64: string | null;
  readonly valueBase64: string | null;
  /** ...and as UTF-8 text, for reading and editing. */
  readonly key: string | null;
  readonly value: string | null;
  readonly correlationId?: string;
}

export interface DeadLetterView extends DeadLetter {
  readonly status: 'open' | 'redriven' | 'discarded';
  /** Where it (or another consumer's dead letter of the same record, `via`) was re-driven to. */
  readonly redrive?: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly at?: string;
    readonly via?: string;
  };
  readonly discardedAt?: string;
}

export interface DeadLettersResponse {
  /** Dead letters in all, whatever the filter. */
  readonly total: number;
  /** Newest first. */
  readonly deadLetters: readonly DeadLetterView[];
}

export interface RedriveResponse {
  readonly redriven: readonly {
    readonly id: string;
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
  }[];
}

export interface DiscardResponse {
  readonly discarded: readonly string[];
}

// ---- schedules ----

export interface PendingSchedule {
  readonly name: string;
  readonly group: string;
  readonly dueAt: string;
  readonly msLeft: number;
  readonly orderId?: string;
}

export interface ScheduleEntry {
  readonly orderId: string;
  readonly name: string;
  readonly deadline?: string;
}

export interface SchedulesResponse {
  /** Soonest first. */
  readonly pending: readonly PendingSchedule[];
  readonly fired: readonly ScheduleEntry[];
  readonly deleted: readonly ScheduleEntry[];
}

/** The local Scheduler's answer to a fire: whether the target was invoked, and in how many attempts. */
export interface FireScheduleResponse {
  readonly name: string;
  readonly group: string;
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
}

// ---- functions and logs ----

export interface FunctionInfo {
  readonly name: string;
  readonly constructId: string;
  readonly logGroupName: string;
  readonly service?: string;
}

export interface FunctionsResponse {
  readonly functions: readonly FunctionInfo[];
}

export interface LogsResponse {
  /** Oldest first. */
  readonly lines: readonly LogLine[];
}

/** One minute of a function's REPORT lines; `t` is the minute's start (epoch ms), durations in ms. */
export interface LogStatsBucket {
  readonly t: number;
  readonly invocations: number;
  readonly errors: number;
  readonly p50?: number;
  readonly p99?: number;
}

export interface FunctionLogStats {
  readonly fn: string;
  readonly invocations: number;
  readonly errors: number;
  readonly p50?: number;
  readonly p99?: number;
  readonly series: readonly LogStatsBucket[];
}

export interface LogStatsResponse {
  readonly functions: readonly FunctionLogStats[];
}

/** Every JSON endpoint, `METHOD /path` to its answer (the server-sent feeds are described above). */
export interface ConsoleApi {
  'GET /api/health': HealthResponse;
  'GET /api/overview': OverviewResponse;
  'GET /api/orders': OrdersResponse;
  'GET /api/orders/:id': OrderDetailResponse;
  'POST /api/orders': ClientOrder;
  'POST /api/orders/:id/:action': ClientOrder;
  'GET /api/topics': TopicsResponse;
  'GET /api/topics/:name/messages': MessagesResponse;
  'POST /api/topics/:name/messages': ProduceResponse;
  'GET /api/mappings': MappingsResponse;
  'POST /api/groups/:groupId/reset': ResetGroupResponse;
  'GET /api/dead-letters': DeadLettersResponse;
  'GET /api/dead-letters/:id': DeadLetterView;
  'POST /api/dead-letters/redrive': RedriveResponse;
  'POST /api/dead-letters/discard': DiscardResponse;
  'GET /api/schedules': SchedulesResponse;
  'POST /api/schedules/fire': FireScheduleResponse;
  'GET /api/functions': FunctionsResponse;
  'GET /api/logs': LogsResponse;
  'GET /api/logs/stats': LogStatsResponse;
}
