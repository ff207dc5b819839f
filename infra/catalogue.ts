/**
 * The names the other parts of the project code against (docs/conventions.md), in one place: physical
 * names, the function catalogue and the tables. Consumers come from `shared/topology.ts`.
 */
import { SERVICES, type ServiceName, type ServiceSpec, type TopicName } from '../shared/topology';

export type TableKey = 'orders' | 'payments' | 'escrow' | 'timers' | 'notifications' | 'logs';

export interface TableSpec {
  readonly key: TableKey;
  /** Construct id and logical id, e.g. `OrdersTable`. */
  readonly id: string;
  /** Environment variable that carries the table name, e.g. `ORDERS_TABLE`. */
  readonly envVar: string;
}

export const TABLES: readonly TableSpec[] = [
  { key: 'orders', id: 'OrdersTable', envVar: 'ORDERS_TABLE' },
  { key: 'payments', id: 'PaymentsTable', envVar: 'PAYMENTS_TABLE' },
  { key: 'escrow', id: 'EscrowTable', envVar: 'ESCROW_TABLE' },
  { key: 'timers', id: 'TimersTable', envVar: 'TIMERS_TABLE' },
  { key: 'notifications', id: 'NotificationsTable', envVar: 'NOTIFICATIONS_TABLE' },
  { key: 'logs', id: 'LogsTable', envVar: 'LOGS_TABLE' },
];

export type TableAccess = 'read' | 'readWrite';

export interface FunctionSpec {
  /** Construct id and logical id (docs/conventions.md), e.g. `OrderConsumer`. */
  readonly id: string;
  /** Entry file relative to the project root. */
  readonly entry: string;
  readonly service: ServiceName;
  readonly description: string;
  /** Topics consumed through event-source mappings (only consumers). */
  readonly consumes: readonly TopicName[];
  /** Topics this entry point may write to (its service's `publishes`), empty when it never publishes. */
  readonly publishes: readonly TopicName[];
  readonly tables: Readonly<Partial<Record<TableKey, TableAccess>>>;
  readonly timeoutSeconds: number;
}

/** Which tables each service owns. */
const SERVICE_TABLES: Record<ServiceName, Partial<Record<TableKey, TableAccess>>> = {
  order: { orders: 'readWrite' },
  payment: { payments: 'readWrite' },
  escrow: { escrow: 'readWrite' },
  timer: { timers: 'readWrite' },
  notification: { notifications: 'readWrite' },
  'log-sink': { logs: 'readWrite' },
  'log-shipper': {},
};

/** Construct id of a service's consumer: `order` -> `OrderConsumer`, `log-sink` -> `LogSinkConsumer`. */
export function consumerId(service: ServiceName): string {
  const pascal = service
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return `${pascal}Consumer`;
}

/** Entry file of a service's consumer: `functions/<service>/consumer.ts`, except the log sink. */
function consumerEntry(service: ServiceName): string {
  return service === 'log-sink' ? 'functions/logs/sink.ts' : `functions/${service}/consumer.ts`;
}

function spec(
  s: ServiceSpec,
  rest: Omit<FunctionSpec, 'service' | 'publishes' | 'tables' | 'consumes'> & Partial<FunctionSpec>,
): FunctionSpec {
  return {
    service: s.name,
    consumes: [],
    publishes: s.publishes,
    tables: SERVICE_TABLES[s.name],
    ...rest,
  };
}

const svc = (name: ServiceName) => SERVICES.find((s) => s.name === name)!;

/** Every consumer: one per service that consumes at least one topic, in topology order. */
export const CONSUMERS: readonly FunctionSpec[] = SERVICES.filter((s) => s.consumes.length > 0).map((s) =>
  spec(s, {
    id: consumerId(s.name),
    entry: consumerEntry(s.name),
    description: s.description,
    consumes: s.consumes,
    timeoutSeconds: 60,
  }),
);

/** Entry points that are not Kafka consumers. */
export const OTHER_FUNCTIONS = {
  orderApi: spec(svc('order'), {
    id: 'OrderApiFunction',
    entry: 'functions/order/api.ts',
    description: 'Order API: order commands and queries',
    timeoutSeconds: 10,
  }),
  notificationApi: spec(svc('notification'), {
    id: 'NotificationApiFunction',
    entry: 'functions/notification/api.ts',
    description: "Notification API: a user's notifications, newest first",
    publishes: [],
    tables: { notifications: 'read' },
    timeoutSeconds: 10,
  }),
  timerFire: spec(svc('timer'), {
    id: 'TimerFireFunction',
    entry: 'functions/timer/fire.ts',
    description: 'EventBridge Scheduler target: emits ORDER_TIMEOUT when an acceptance deadline passes',
    timeoutSeconds: 30,
  }),
  logShipper: spec(svc('log-shipper'), {
    id: 'LogShipperFunction',
    entry: 'functions/logs/shipper.ts',
    description: 'CloudWatch Logs subscription target: publishes LOG_RECORD events to system-logs',
    timeoutSeconds: 30,
  }),
} satisfies Record<string, FunctionSpec>;

export const ALL_FUNCTIONS: readonly FunctionSpec[] = [...CONSUMERS, ...Object.values(OTHER_FUNCTIONS)];

/** Physical names: everything is `campusg-<stage>-...` so several stages share one account. */
export class Names {
  constructor(readonly stage: string) {}

  get prefix(): string {
    return `campusg-${this.stage}`;
  }

  /** `OrderConsumer` -> `campusg-dev-order-consumer`. */
  functionName(id: string): string {
    const kebab = id
      .replace(/Function$/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase();
    return `${this.prefix}-${kebab}`;
  }

  logGroupName(id: string): string {
    return `/aws/lambda/${this.functionName(id)}`;
  }

  tableName(key: TableKey): string {
    return `${this.prefix}-${key}`;
  }

  get clusterName(): string {
    return this.prefix;
  }

  get scheduleGroupName(): string {
    return `${this.prefix}-timers`;
  }

  stackName(part: string): string {
    return `${this.stackPrefix}-${part}`;
  }

  /** `CampusG-<stage>`: what every stack name of the app starts with. */
  get stackPrefix(): string {
    return `CampusG-${this.stage}`;
  }
}

/** The app's stacks, `CampusG-<stage>-<part>` (infra/campusg-app.ts makes one per part; the CLI reads their outputs). */
export const STACK_PARTS = ['Network', 'Messaging', 'Data', 'Services', 'Observability'] as const;
export type StackPart = (typeof STACK_PARTS)[number];
