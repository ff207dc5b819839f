import { StateMachine } from '#shared/domain/state-machine';

export const ORDER_STATUSES = [
  'CREATED',
  'PAYMENT_AUTHORIZED',
  'FUNDS_HELD',
  'AWAITING_RUNNER',
  'ACCEPTED',
  'COMPLETED',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The order state machine: the only place that says which status may follow which. The saga moves forward
 * along CREATED -> PAYMENT_AUTHORIZED -> FUNDS_HELD -> AWAITING_RUNNER -> ACCEPTED -> COMPLETED; before
 * acceptance an order can be CANCELLED (payment failed, timeout, customer).
 *
 * The order consumes three topics, so a later saga step can arrive before an earlier one (TIMER_STARTED
 * before FUNDS_HELD). It then catches up along the chain in one write; each step is still an edge below.
 */
export const ORDER_MACHINE = new StateMachine<OrderStatus>('order', [
  { from: '[*]', to: 'CREATED', on: 'POST /orders' },
  { from: 'CREATED', to: 'PAYMENT_AUTHORIZED', on: 'PAYMENT_AUTHORIZED' },
  { from: 'PAYMENT_AUTHORIZED', to: 'FUNDS_HELD', on: 'FUNDS_HELD' },
  { from: 'FUNDS_HELD', to: 'AWAITING_RUNNER', on: 'TIMER_STARTED' },
  { from: 'AWAITING_RUNNER', to: 'ACCEPTED', on: 'accept (runner)' },
  { from: 'ACCEPTED', to: 'COMPLETED', on: 'complete (accepting runner)' },
  { from: 'CREATED', to: 'CANCELLED', on: 'PAYMENT_FAILED' },
  { from: 'CREATED', to: 'CANCELLED', on: 'cancel (customer)' },
  { from: 'PAYMENT_AUTHORIZED', to: 'CANCELLED', on: 'cancel (customer)' },
  { from: 'FUNDS_HELD', to: 'CANCELLED', on: 'cancel (customer)' },
  { from: 'AWAITING_RUNNER', to: 'CANCELLED', on: 'cancel (customer)' },
  { from: 'CREATED', to: 'CANCELLED', on: 'ORDER_TIMEOUT' },
  { from: 'PAYMENT_AUTHORIZED', to: 'CANCELLED', on: 'ORDER_TIMEOUT' },
  { from: 'FUNDS_HELD', to: 'CANCELLED', on: 'ORDER_TIMEOUT' },
  { from: 'AWAITING_RUNNER', to: 'CANCELLED', on: 'ORDER_TIMEOUT' },
]);

/** The forward chain, in order; `rank` compares progress along it. */
const CHAIN: readonly OrderStatus[] = [
  'CREATED',
  'PAYMENT_AUTHORIZED',
  'FUNDS_HELD',
  'AWAITING_RUNNER',
  'ACCEPTED',
  'COMPLETED',
];

export function rank(status: OrderStatus): number {
  return CHAIN.indexOf(status);
}

/**
 * The statuses to pass through to get from `from` to `to` along the forward chain (each step an allowed
 * transition), or undefined when `to` is not ahead of `from`.
 */
export function forwardPath(from: OrderStatus, to: OrderStatus): OrderStatus[] | undefined {
  const a = rank(from);
  const b = rank(to);
  if (a < 0 || b <= a) return undefined;
  const path = CHAIN.slice(a + 1, b + 1);
  let prev = from;
  for (const s of path) {
    if (!ORDER_MACHINE.allowed(prev, s)) return undefined;
    prev = s;
  }
  return path;
}
