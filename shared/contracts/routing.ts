/**
 * Where an event goes: the topic each event type is published to (the producer side of the table in
 * shared/topology.ts) and the order an event is about, which is also its Kafka message key, so one order's
 * events stay in one partition.
 */
import type { TopicName } from '#shared/topology';
import type { AnyEvent } from './envelope';
import type { EventType } from './events';

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

/** The order an event is about: `payload.orderId` for every saga event, else the correlation id. */
export function orderIdOf(event: AnyEvent): string {
  const payload = event.payload as { orderId?: unknown };
  return typeof payload.orderId === 'string' ? payload.orderId : event.correlationId;
}
