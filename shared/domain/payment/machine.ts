import { StateMachine } from '#shared/domain/state-machine';

export type PaymentStatus = 'AUTHORIZED' | 'FAILED' | 'CAPTURED' | 'VOIDED' | 'CANCELLED';

/**
 * One payment per order. Authorized on ORDER_CREATED (or FAILED when the provider declines); captured when
 * escrow releases the funds to the runner; voided when escrow refunds them, or when the order is cancelled
 * before any hold was seen. CANCELLED marks an order cancelled before it was ever seen created.
 * A self-transition records a fact without changing the status (AUTHORIZED: a hold exists).
 */
export const PAYMENT_MACHINE = new StateMachine<PaymentStatus>('payment', [
  { from: '[*]', to: 'AUTHORIZED', on: 'ORDER_CREATED (approved)' },
  { from: '[*]', to: 'FAILED', on: 'ORDER_CREATED (declined)' },
  { from: '[*]', to: 'CANCELLED', on: 'ORDER_CANCELLED (before ORDER_CREATED)' },
  { from: 'AUTHORIZED', to: 'AUTHORIZED', on: 'FUNDS_HELD' },
  { from: 'AUTHORIZED', to: 'CAPTURED', on: 'FUNDS_RELEASED' },
  { from: 'AUTHORIZED', to: 'VOIDED', on: 'FUNDS_REFUNDED' },
  { from: 'AUTHORIZED', to: 'VOIDED', on: 'ORDER_CANCELLED (no hold seen)' },
]);
