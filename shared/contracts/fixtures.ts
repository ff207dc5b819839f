import type { AnyEvent, EventOf } from './envelope';
import type { EventType } from './events';

/**
 * One valid example per event type: the contract fixtures. test/shared/contracts/contracts.test.ts checks each
 * against its schema, and consumer tests that need a valid event of a type build it from these through
 * fixtureEvent (test/support/contract-events.ts), so a schema change that would break them fails in CI. Order `ord_fixture1`, customer `cust-1`, runner
 * `runner-7`, 2 x 450 cents.
 */
const base = { timestamp: '2026-03-19T13:00:00.000Z', correlationId: 'ord_fixture1' };
const orderId = 'ord_fixture1';

export const FIXTURES: { [T in EventType]: EventOf<T> } = {
  ORDER_CREATED: {
    ...base,
    id: 'evt-order-created',
    type: 'ORDER_CREATED',
    source: 'order',
    payload: {
      orderId,
      customerId: 'cust-1',
      items: [{ name: 'Iced latte', quantity: 2, unitPriceCents: 450 }],
      totalCents: 900,
      deliveryLocation: 'Library L2',
      paymentMethod: 'tok_visa',
    },
  },
  ORDER_ACCEPTED: {
    ...base,
    id: 'evt-order-accepted',
    type: 'ORDER_ACCEPTED',
    source: 'order',
    payload: { orderId, customerId: 'cust-1', runnerId: 'runner-7', totalCents: 900 },
  },
  ORDER_COMPLETED: {
    ...base,
    id: 'evt-order-completed',
    type: 'ORDER_COMPLETED',
    source: 'order',
    payload: { orderId, customerId: 'cust-1', runnerId: 'runner-7', totalCents: 900 },
  },
  ORDER_CANCELLED: {
    ...base,
    id: 'evt-order-cancelled',
    type: 'ORDER_CANCELLED',
    source: 'order',
    payload: { orderId, customerId: 'cust-1', totalCents: 900, reason: 'TIMEOUT' },
  },
  PAYMENT_AUTHORIZED: {
    ...base,
    id: 'evt-payment-authorized',
    type: 'PAYMENT_AUTHORIZED',
    source: 'payment',
    payload: { orderId, customerId: 'cust-1', paymentId: 'pay_1', amountCents: 900 },
  },
  PAYMENT_FAILED: {
    ...base,
    id: 'evt-payment-failed',
    type: 'PAYMENT_FAILED',
    source: 'payment',
    payload: {
      orderId,
      customerId: 'cust-1',
      amountCents: 900,
      code: 'card_declined',
      reason: 'card declined',
    },
  },
  PAYMENT_CAPTURED: {
    ...base,
    id: 'evt-payment-captured',
    type: 'PAYMENT_CAPTURED',
    source: 'payment',
    payload: { orderId, paymentId: 'pay_1', amountCents: 900, runnerId: 'runner-7' },
  },
  PAYMENT_VOIDED: {
    ...base,
    id: 'evt-payment-voided',
    type: 'PAYMENT_VOIDED',
    source: 'payment',
    payload: { orderId, paymentId: 'pay_1', amountCents: 900, reason: 'TIMEOUT' },
  },
  FUNDS_HELD: {
    ...base,
    id: 'evt-funds-held',
    type: 'FUNDS_HELD',
    source: 'escrow',
    payload: { orderId, customerId: 'cust-1', holdId: 'hold_1', paymentId: 'pay_1', amountCents: 900 },
  },
  FUNDS_RELEASED: {
    ...base,
    id: 'evt-funds-released',
    type: 'FUNDS_RELEASED',
    source: 'escrow',
    payload: { orderId, holdId: 'hold_1', paymentId: 'pay_1', runnerId: 'runner-7', amountCents: 900 },
  },
  FUNDS_REFUNDED: {
    ...base,
    id: 'evt-funds-refunded',
    type: 'FUNDS_REFUNDED',
    source: 'escrow',
    payload: {
      orderId,
      holdId: 'hold_1',
      paymentId: 'pay_1',
      customerId: 'cust-1',
      amountCents: 900,
      reason: 'TIMEOUT',
    },
  },
  TIMER_STARTED: {
    ...base,
    id: 'evt-timer-started',
    type: 'TIMER_STARTED',
    source: 'timer',
    payload: { orderId, scheduleName: 'accept-ord_fixture1', deadline: '2026-03-19T13:15:00.000Z' },
  },
  TIMER_CANCELLED: {
    ...base,
    id: 'evt-timer-cancelled',
    type: 'TIMER_CANCELLED',
    source: 'timer',
    payload: { orderId, scheduleName: 'accept-ord_fixture1', reason: 'ORDER_ACCEPTED' },
  },
  ORDER_TIMEOUT: {
    ...base,
    id: 'evt-order-timeout',
    type: 'ORDER_TIMEOUT',
    source: 'timer',
    payload: { orderId, scheduleName: 'accept-ord_fixture1', deadline: '2026-03-19T13:15:00.000Z' },
  },
  NOTIFICATION_SENT: {
    ...base,
    id: 'evt-notification-sent',
    type: 'NOTIFICATION_SENT',
    source: 'notification',
    payload: {
      notificationId: 'ntf_1',
      orderId,
      userId: 'cust-1',
      role: 'customer',
      channel: 'in-app',
      title: 'Order placed',
      message: 'Your order of 2 items (9.00) was placed.',
      sourceEventId: 'evt-order-created',
      sourceEventType: 'ORDER_CREATED',
    },
  },
  LOG_RECORD: {
    ...base,
    id: 'evt-log-record',
    type: 'LOG_RECORD',
    source: 'log-shipper',
    payload: {
      service: 'payment',
      level: 'INFO',
      message: 'Payment authorized',
      logGroup: '/aws/lambda/campusg-payment',
      loggedAt: 1773925200300,
      data: { orderId, amountCents: 900 },
    },
  },
  DEAD_LETTER: {
    ...base,
    id: 'evt-dead-letter',
    type: 'DEAD_LETTER',
    source: 'payment',
    payload: {
      reason: 'NOT_JSON',
      error: 'value is not JSON: "{not json"',
      consumer: 'campusg-payment-order-events',
      origin: { topic: 'order-events', partition: 0, offset: 16, timestamp: 1773925200100 },
      key: 'b3JkZXItMTI0',
      value: 'e25vdCBqc29u',
    },
  },
};

export const ALL_FIXTURES: AnyEvent[] = Object.values(FIXTURES);
