import type { ItemKey } from './entity-store';

/**
 * Item keys of every table, in one place. Each table has `pk` and `sk` (docs/conventions.md); the layouts
 * are documented in docs/state-machines.md.
 */
export const keys = {
  order: (orderId: string): ItemKey => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  idempotency: (customerId: string, key: string): ItemKey => ({
    pk: `IDEMPOTENCY#${customerId}#${key}`,
    sk: 'IDEMPOTENCY',
  }),
  payment: (orderId: string): ItemKey => ({ pk: `PAYMENT#${orderId}`, sk: 'PAYMENT' }),
  hold: (orderId: string): ItemKey => ({ pk: `HOLD#${orderId}`, sk: 'HOLD' }),
  timer: (orderId: string): ItemKey => ({ pk: `TIMER#${orderId}`, sk: 'TIMER' }),
  notification: (userId: string, at: string, notificationId: string): ItemKey => ({
    pk: `USER#${userId}`,
    sk: `NOTIFICATION#${at}#${notificationId}`,
  }),
} as const;
