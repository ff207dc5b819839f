import * as z from 'zod';
import { type EventType, PAYLOADS } from './events';

/**
 * The envelope of every message value: the CampusG guide's `{type, timestamp, payload}` plus
 * `id` (deterministic per logical event, for de-duplication), `source` (the publishing service) and
 * `correlationId` (the order id, for tracing).
 */
const envelopeBase = {
  id: z.string().min(1, { error: 'must be a non-empty event id' }).max(200),
  timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }),
  source: z.string().min(1, { error: 'must name the publishing service' }).max(100),
  correlationId: z.string().min(1).max(200),
};

function envelopeOf<T extends EventType>(type: T) {
  return z.object({ ...envelopeBase, type: z.literal(type), payload: PAYLOADS[type] });
}

export const OrderCreatedEvent = envelopeOf('ORDER_CREATED');
export const OrderAcceptedEvent = envelopeOf('ORDER_ACCEPTED');
export const OrderCompletedEvent = envelopeOf('ORDER_COMPLETED');
export const OrderCancelledEvent = envelopeOf('ORDER_CANCELLED');
export const PaymentAuthorizedEvent = envelopeOf('PAYMENT_AUTHORIZED');
export const PaymentFailedEvent = envelopeOf('PAYMENT_FAILED');
export const PaymentCapturedEvent = envelopeOf('PAYMENT_CAPTURED');
export const PaymentVoidedEvent = envelopeOf('PAYMENT_VOIDED');
export const FundsHeldEvent = envelopeOf('FUNDS_HELD');
export const FundsReleasedEvent = envelopeOf('FUNDS_RELEASED');
export const FundsRefundedEvent = envelopeOf('FUNDS_REFUNDED');
export const TimerStartedEvent = envelopeOf('TIMER_STARTED');
export const TimerCancelledEvent = envelopeOf('TIMER_CANCELLED');
export const OrderTimeoutEvent = envelopeOf('ORDER_TIMEOUT');
export const NotificationSentEvent = envelopeOf('NOTIFICATION_SENT');
export const LogRecordEvent = envelopeOf('LOG_RECORD');
export const DeadLetterEvent = envelopeOf('DEAD_LETTER');

/** Any event of the system, discriminated on `type`. */
export const AnyEvent = z.discriminatedUnion('type', [
  OrderCreatedEvent,
  OrderAcceptedEvent,
  OrderCompletedEvent,
  OrderCancelledEvent,
  PaymentAuthorizedEvent,
  PaymentFailedEvent,
  PaymentCapturedEvent,
  PaymentVoidedEvent,
  FundsHeldEvent,
  FundsReleasedEvent,
  FundsRefundedEvent,
  TimerStartedEvent,
  TimerCancelledEvent,
  OrderTimeoutEvent,
  NotificationSentEvent,
  LogRecordEvent,
  DeadLetterEvent,
]);

export type AnyEvent = z.infer<typeof AnyEvent>;
export type EventOf<T extends EventType> = Extract<AnyEvent, { type: T }>;

/** What a publisher hands over: the envelope fields the client fills in are optional. */
export type EventDraft<T extends EventType = EventType> = T extends EventType
  ? Omit<EventOf<T>, 'id' | 'timestamp' | 'source' | 'correlationId'> &
      Partial<Pick<EventOf<T>, 'id' | 'timestamp' | 'source' | 'correlationId'>>
  : never;
