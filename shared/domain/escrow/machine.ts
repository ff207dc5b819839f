import { StateMachine } from '#shared/domain/state-machine';

export type EscrowStatus = 'HELD' | 'RELEASED' | 'REFUNDED' | 'CLOSED';

/**
 * One hold per order. Held when the payment is authorized; released to the runner on completion or refunded
 * to the customer on cancellation, exactly once. CLOSED remembers a cancellation that arrived before the
 * authorization, so a late PAYMENT_AUTHORIZED never creates a hold nobody would release.
 */
export const ESCROW_MACHINE = new StateMachine<EscrowStatus>('hold', [
  { from: '[*]', to: 'HELD', on: 'PAYMENT_AUTHORIZED' },
  { from: '[*]', to: 'CLOSED', on: 'ORDER_CANCELLED (before a hold)' },
  { from: 'HELD', to: 'RELEASED', on: 'ORDER_COMPLETED' },
  { from: 'HELD', to: 'REFUNDED', on: 'ORDER_CANCELLED' },
]);
