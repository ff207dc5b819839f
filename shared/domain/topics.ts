import type { EventType } from '../contracts';
import type { TopicName } from '../topology';

/** The topic each event type is published to (the producer side of the topology table). */
export const TOPIC_OF: Readonly<Record<EventType, TopicName>> = {
  ORDER_CREATED: 'order-events',
  ORDER_ACCEPTED: 'order-events',
  ORDER_COMPLETED: 'order-events',
  ORDER_CANCELLED: 'order-events',
  PAYMENT_AUTHORIZED: 'payment-events',
  PAYMENT_FAILED: 'payment-events',
  PAYMENT_CAPTURED: 'payment-events',
  PAYMENT_VOIDED: 'payment-events',
  FUNDS_HELD: 'escrow-events',
  FUNDS_RELEASED: 'escrow-events',
  FUNDS_REFUNDED: 'escrow-events',
  TIMER_STARTED: 'timer-events',
  TIMER_CANCELLED: 'timer-events',
  ORDER_TIMEOUT: 'timer-events',
  NOTIFICATION_SENT: 'notification-events',
  LOG_RECORD: 'system-logs',
  DEAD_LETTER: 'dead-letters',
};
