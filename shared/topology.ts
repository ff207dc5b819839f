/**
 * The single source of truth for topics and who publishes and consumes them.
 *
 * The CDK app derives MSK topics, event-source mappings and IAM from this file; the local runtime reads
 * the synthesized result. Change the wiring here and nowhere else.
 */

export type TopicName =
  | 'order-events'
  | 'payment-events'
  | 'escrow-events'
  | 'timer-events'
  | 'notification-events'
  | 'system-logs'
  | 'dead-letters';

export type ServiceName =
  | 'order'
  | 'payment'
  | 'escrow'
  | 'timer'
  | 'notification'
  | 'log-sink'
  | 'log-shipper';

export interface TopicSpec {
  readonly name: TopicName;
  readonly description: string;
  readonly partitions: number;
  /** `retention.ms`; -1 keeps records forever. */
  readonly retentionMs: number;
  /** Where consumers of this topic send records they can never process; undefined for the dead-letter topic itself. */
  readonly deadLetterTopic?: TopicName;
  /** True for topics whose consumers live outside this system (external channels, operators). */
  readonly externalConsumers?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEAD_LETTER_TOPIC: TopicName = 'dead-letters';

export const TOPICS: readonly TopicSpec[] = [
  {
    name: 'order-events',
    description: 'Order lifecycle: created, accepted, completed, cancelled',
    partitions: 3,
    retentionMs: 7 * DAY_MS,
    deadLetterTopic: DEAD_LETTER_TOPIC,
  },
  {
    name: 'payment-events',
    description: 'Payment authorizations, failures, captures and voids',
    partitions: 3,
    retentionMs: 7 * DAY_MS,
    deadLetterTopic: DEAD_LETTER_TOPIC,
  },
  {
    name: 'escrow-events',
    description: 'Escrow holds, releases to the runner and refunds to the customer',
    partitions: 3,
    retentionMs: 7 * DAY_MS,
    deadLetterTopic: DEAD_LETTER_TOPIC,
  },
  {
    name: 'timer-events',
    description: 'Acceptance deadlines started, cancelled and timed out',
    partitions: 3,
    retentionMs: 7 * DAY_MS,
    deadLetterTopic: DEAD_LETTER_TOPIC,
  },
  {
    name: 'notification-events',
    description: 'User-facing notifications, for external channels (push, e-mail)',
    partitions: 3,
    retentionMs: 7 * DAY_MS,
    deadLetterTopic: DEAD_LETTER_TOPIC,
    externalConsumers: true,
  },
  {
    name: 'system-logs',
    description: 'Central log stream: every service log record, shipped from CloudWatch Logs',
    partitions: 3,
    retentionMs: 3 * DAY_MS,
    deadLetterTopic: DEAD_LETTER_TOPIC,
  },
  {
    name: 'dead-letters',
    description: 'Records a consumer can never process, with the reason and their origin',
    partitions: 1,
    retentionMs: 14 * DAY_MS,
    externalConsumers: true,
  },
];

export interface ServiceSpec {
  readonly name: ServiceName;
  readonly description: string;
  /** Topics this service writes to (dead letters are implied for every consumer and listed explicitly). */
  readonly publishes: readonly TopicName[];
  /** Topics this service consumes through event-source mappings, one mapping per topic. */
  readonly consumes: readonly TopicName[];
}

export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'order',
    description: 'Order API and order state; reacts to payment, escrow and timer outcomes',
    publishes: ['order-events', 'dead-letters'],
    consumes: ['payment-events', 'escrow-events', 'timer-events'],
  },
  {
    name: 'payment',
    description: 'Authorizes on order creation, captures on release, voids on refund or cancellation',
    publishes: ['payment-events', 'dead-letters'],
    consumes: ['order-events', 'escrow-events'],
  },
  {
    name: 'escrow',
    description: 'Holds authorized funds, releases them to the runner or refunds the customer',
    publishes: ['escrow-events', 'dead-letters'],
    consumes: ['order-events', 'payment-events'],
  },
  {
    name: 'timer',
    description: 'Acceptance deadlines on EventBridge Scheduler',
    publishes: ['timer-events', 'dead-letters'],
    consumes: ['order-events', 'escrow-events'],
  },
  {
    name: 'notification',
    description: 'Turns saga events into notifications for customers and runners',
    publishes: ['notification-events', 'dead-letters'],
    consumes: ['order-events', 'payment-events', 'escrow-events', 'timer-events'],
  },
  {
    name: 'log-shipper',
    description: 'CloudWatch Logs subscription target that publishes log records to system-logs',
    publishes: ['system-logs'],
    consumes: [],
  },
  {
    name: 'log-sink',
    description: 'Consumes the central log stream',
    publishes: ['dead-letters'],
    consumes: ['system-logs'],
  },
];

export function topic(name: TopicName): TopicSpec {
  const spec = TOPICS.find((t) => t.name === name);
  if (!spec) throw new Error(`unknown topic ${name}`);
  return spec;
}

export function service(name: ServiceName): ServiceSpec {
  const spec = SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown service ${name}`);
  return spec;
}

/** Every (service, consumed topic) pair: one event-source mapping each. */
export function consumerBindings(): { service: ServiceName; topic: TopicName; groupId: string }[] {
  return SERVICES.flatMap((s) =>
    s.consumes.map((t) => ({ service: s.name, topic: t, groupId: consumerGroupId(s.name, t) })),
  );
}

/**
 * The stable consumer group id of one event-source mapping. Stable across deploys (so committed offsets
 * survive) and unique per mapping (so two mappings never split one topic's partitions between them).
 */
export function consumerGroupId(serviceName: ServiceName, topicName: TopicName, prefix = 'campusg'): string {
  return `${prefix}-${serviceName}-${topicName}`;
}

/** Services that consume a topic. */
export function consumersOf(topicName: TopicName): ServiceName[] {
  return SERVICES.filter((s) => s.consumes.includes(topicName)).map((s) => s.name);
}

/** Services that publish to a topic. */
export function publishersOf(topicName: TopicName): ServiceName[] {
  return SERVICES.filter((s) => s.publishes.includes(topicName)).map((s) => s.name);
}
