import * as z from 'zod';
import { Cents } from './money';

/**
 * One zod schema per event payload. These are the contracts between services: a change that breaks a
 * consumer fails the fixture tests in test/shared/contracts.
 */

const Id = z.string().min(1, { error: 'must be a non-empty string' }).max(200);
const IsoTime = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' });

export const OrderItem = z.strictObject({
  name: z.string().min(1).max(200),
  quantity: z.number().int().min(1).max(1000),
  unitPriceCents: Cents,
});

export const CancelReason = z.enum(['PAYMENT_FAILED', 'TIMEOUT', 'CUSTOMER']);

export const OrderCreated = z.object({
  orderId: Id,
  customerId: Id,
  items: z.array(OrderItem).min(1).max(100),
  totalCents: Cents,
  deliveryLocation: z.string().min(1).max(500),
  paymentMethod: z.string().min(1).max(100),
});

export const OrderAccepted = z.object({
  orderId: Id,
  customerId: Id,
  runnerId: Id,
  totalCents: Cents,
});

export const OrderCompleted = z.object({
  orderId: Id,
  customerId: Id,
  runnerId: Id,
  totalCents: Cents,
});

export const OrderCancelled = z.object({
  orderId: Id,
  customerId: Id,
  totalCents: Cents,
  reason: CancelReason,
});

export const PaymentAuthorized = z.object({
  orderId: Id,
  customerId: Id,
  paymentId: Id,
  amountCents: Cents,
});

export const PaymentFailed = z.object({
  orderId: Id,
  customerId: Id,
  amountCents: Cents,
  code: z.string().min(1),
  reason: z.string().min(1),
});

export const PaymentCaptured = z.object({
  orderId: Id,
  /** Added for notifications: the customer to tell. Optional so older producers stay valid. */
  customerId: Id.optional(),
  paymentId: Id,
  amountCents: Cents,
  runnerId: Id,
});

export const PaymentVoided = z.object({
  orderId: Id,
  /** Added for notifications: the customer to tell. Optional so older producers stay valid. */
  customerId: Id.optional(),
  paymentId: Id,
  amountCents: Cents,
  reason: z.string().min(1),
});

export const FundsHeld = z.object({
  orderId: Id,
  customerId: Id,
  holdId: Id,
  paymentId: Id,
  amountCents: Cents,
});

export const FundsReleased = z.object({
  orderId: Id,
  /** Added for notifications: the customer to tell. Optional so older producers stay valid. */
  customerId: Id.optional(),
  holdId: Id,
  paymentId: Id,
  runnerId: Id,
  amountCents: Cents,
});

export const FundsRefunded = z.object({
  orderId: Id,
  holdId: Id,
  paymentId: Id,
  customerId: Id,
  amountCents: Cents,
  reason: z.string().min(1),
});

export const TimerStarted = z.object({
  orderId: Id,
  /** Added for notifications: the customer to tell. Optional so older producers stay valid. */
  customerId: Id.optional(),
  scheduleName: Id,
  deadline: IsoTime,
});

export const TimerCancelled = z.object({
  orderId: Id,
  /** Added for notifications: the customer to tell. Optional so older producers stay valid. */
  customerId: Id.optional(),
  scheduleName: Id,
  reason: z.enum(['ORDER_ACCEPTED', 'ORDER_CANCELLED']),
});

export const OrderTimeout = z.object({
  orderId: Id,
  /** Added for notifications: the customer to tell. Optional so older producers stay valid. */
  customerId: Id.optional(),
  scheduleName: Id,
  deadline: IsoTime,
});

export const NotificationSent = z.object({
  notificationId: Id,
  orderId: Id,
  userId: Id,
  role: z.enum(['customer', 'runner']),
  channel: z.enum(['in-app']),
  title: z.string().min(1).max(200),
  message: z.string().min(1).max(2000),
  sourceEventId: Id,
  sourceEventType: z.string().min(1),
});

export const LogLevel = z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT']);

/** A record of the central log stream (`system-logs`): the guide's `{service, level, message, data}`. */
export const LogRecord = z.object({
  service: z.string().min(1),
  level: LogLevel,
  message: z.string(),
  logGroup: z.string().optional(),
  logStream: z.string().optional(),
  /** Time the log line was written, epoch milliseconds. */
  loggedAt: z.number().int().nonnegative(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** What a consumer writes to the dead-letter topic for a record it can never process. */
export const DeadLetter = z.object({
  reason: z.enum(['NOT_JSON', 'SCHEMA_VIOLATION', 'UNKNOWN_TYPE', 'IMPOSSIBLE_TRANSITION', 'REJECTED']),
  error: z.string(),
  consumer: z.string().min(1),
  origin: z.object({
    topic: z.string(),
    partition: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    timestamp: z.number().int().optional(),
  }),
  /** The original key and value, base64, exactly as they were on the topic. */
  key: z.string().nullable(),
  value: z.string().nullable(),
});

/** Payload schema per event type. The keys of this map are the complete list of event types. */
export const PAYLOADS = {
  ORDER_CREATED: OrderCreated,
  ORDER_ACCEPTED: OrderAccepted,
  ORDER_COMPLETED: OrderCompleted,
  ORDER_CANCELLED: OrderCancelled,
  PAYMENT_AUTHORIZED: PaymentAuthorized,
  PAYMENT_FAILED: PaymentFailed,
  PAYMENT_CAPTURED: PaymentCaptured,
  PAYMENT_VOIDED: PaymentVoided,
  FUNDS_HELD: FundsHeld,
  FUNDS_RELEASED: FundsReleased,
  FUNDS_REFUNDED: FundsRefunded,
  TIMER_STARTED: TimerStarted,
  TIMER_CANCELLED: TimerCancelled,
  ORDER_TIMEOUT: OrderTimeout,
  NOTIFICATION_SENT: NotificationSent,
  LOG_RECORD: LogRecord,
  DEAD_LETTER: DeadLetter,
} as const;

export type EventType = keyof typeof PAYLOADS;
export const EVENT_TYPES = Object.keys(PAYLOADS) as EventType[];
export type PayloadOf<T extends EventType> = z.infer<(typeof PAYLOADS)[T]>;
