/**
 * The order service: creates orders (with Idempotency-Key replay), answers order queries, applies runner and
 * customer commands and saga outcomes to an order, each at most once through applyOnce.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type AnyEvent, stableJson } from '#shared/contracts';
import { orderIdOf } from '#shared/contracts/routing';
import type { EntityStore } from '#shared/db/entity-store';
import type { IdempotencyKeyStore } from '#shared/db/idempotency-keys';
import { keys } from '#shared/db/keys';
import type { Caller } from '#shared/domain/caller';
import {
  acceptOrder,
  cancelByCustomer,
  completeOrder,
  createOrder,
  type NewOrder,
  type OrderState,
  onSagaEvent,
} from '#shared/domain/order/order';
import { ForbiddenError, NotFoundError } from '#shared/errors';
import type { EventPublisher } from '#shared/kafka';
import { applyOnce } from './apply-once';

export interface OrderServiceDeps {
  readonly orders: EntityStore<OrderState>;
  /** Where Idempotency-Keys are claimed (shared/db/idempotency-keys.ts in production). */
  readonly idempotencyKeys: IdempotencyKeyStore;
  readonly publisher: EventPublisher;
  readonly now?: () => Date;
  readonly newOrderId?: () => string;
}

export const newOrderId = (): string => `ord_${randomBytes(10).toString('hex')}`;

const hashOf = (value: unknown) => createHash('sha256').update(stableJson(value)).digest('hex');

export interface CreateOrderInput {
  readonly items: NewOrder['items'];
  readonly deliveryLocation: string;
  readonly paymentMethod: string;
}

/**
 * Creates an order (CREATED) and publishes ORDER_CREATED. With an Idempotency-Key, a retry returns the same
 * order and re-publishes the same event (covering a crash between the write and the publish).
 */
export async function createOrderCommand(
  deps: OrderServiceDeps,
  customerId: string,
  input: CreateOrderInput,
  idempotencyKey?: string,
): Promise<{ order: OrderState; replay: boolean }> {
  const now = deps.now?.() ?? new Date();
  const claim = idempotencyKey
    ? await deps.idempotencyKeys.claim({
        customerId,
        idempotencyKey,
        requestHash: hashOf(input),
        orderId: (deps.newOrderId ?? newOrderId)(),
        now,
      })
    : { orderId: (deps.newOrderId ?? newOrderId)(), replay: false };
  const result = await applyOnce<OrderState>({
    store: deps.orders,
    key: keys.order(claim.orderId),
    cause: 'create',
    source: 'order',
    publisher: deps.publisher,
    now: deps.now,
    // A fresh order id has no item yet: write without reading first (a replayed claim reads as usual).
    ...(claim.replay ? {} : { assume: { current: undefined } }),
    decide: () => createOrder({ orderId: claim.orderId, customerId, ...input }, now),
  });
  return { order: result.state!, replay: result.outcome === 'replayed' };
}

export async function loadOrder(deps: OrderServiceDeps, orderId: string): Promise<OrderState> {
  const found = await deps.orders.get(keys.order(orderId));
  if (!found) throw new NotFoundError(`order ${orderId} does not exist`);
  return found.state;
}

/** The order for its customer or its runner; anyone else is refused. */
export async function getOrderQuery(
  deps: OrderServiceDeps,
  orderId: string,
  caller: Caller,
): Promise<OrderState> {
  const order = await loadOrder(deps, orderId);
  if (order.customerId !== caller.userId && order.runnerId !== caller.userId) {
    throw new ForbiddenError(`order ${orderId} belongs to another customer and runner`);
  }
  return order;
}

export type OrderCommand = 'accept' | 'complete' | 'cancel';

const ROLE_OF: Record<OrderCommand, 'customers' | 'runners'> = {
  accept: 'runners',
  complete: 'runners',
  cancel: 'customers',
};

/**
 * accept / complete / cancel. Each is applied at most once per caller: repeating a command that already
 * succeeded answers with the order and re-publishes the same event; anything else the state machine forbids
 * is a TransitionError (409).
 */
export async function orderCommand(
  deps: OrderServiceDeps,
  orderId: string,
  command: OrderCommand,
  caller: Caller,
): Promise<{ order: OrderState; events: readonly AnyEvent[] }> {
  if (!caller.roles.has(ROLE_OF[command])) {
    throw new ForbiddenError(`only ${ROLE_OF[command]} can ${command} orders`);
  }
  const now = deps.now?.() ?? new Date();
  const result = await applyOnce<OrderState>({
    store: deps.orders,
    key: keys.order(orderId),
    cause: `${command}:${caller.userId}`,
    source: 'order',
    publisher: deps.publisher,
    now: deps.now,
    decide: (current) => {
      if (!current) throw new NotFoundError(`order ${orderId} does not exist`);
      const order = current.state;
      if (command === 'accept') return acceptOrder(order, caller.userId, now);
      if (command === 'complete') return completeOrder(order, caller.userId, now);
      return cancelByCustomer(order, caller.userId, now);
    },
  });
  return { order: result.state!, events: result.events };
}

/** Applies a saga outcome (payment, escrow, timer event) to its order at most once. */
export async function handleOrderSagaEvent(deps: OrderServiceDeps, event: AnyEvent): Promise<void> {
  const now = deps.now?.() ?? new Date();
  await applyOnce<OrderState>({
    store: deps.orders,
    key: keys.order(orderIdOf(event)),
    cause: event.id,
    source: 'order',
    publisher: deps.publisher,
    now: deps.now,
    decide: (current) => onSagaEvent(current?.state, event, now),
  });
}
