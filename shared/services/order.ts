import { createHash, randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AnyEvent } from '../contracts';
import { applyOnce } from '../db/apply-once';
import type { EntityStore } from '../db/entity-store';
import { keys } from '../db/keys';
import type { Caller } from '../domain/caller';
import { orderIdOf } from '../domain/event-order';
import {
  acceptOrder,
  cancelByCustomer,
  completeOrder,
  createOrder,
  type NewOrder,
  type OrderState,
  onSagaEvent,
} from '../domain/order/order';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import type { EventPublisher } from '../kafka';

export interface OrderServiceDeps {
  readonly orders: EntityStore<OrderState>;
  readonly client: DynamoDBDocumentClient;
  readonly tableName: () => string;
  readonly publisher: EventPublisher;
  readonly now?: () => Date;
  readonly newOrderId?: () => string;
  /** How long an Idempotency-Key is remembered, seconds (24 hours). */
  readonly idempotencyTtlSeconds?: number;
}

export const newOrderId = (): string => `ord_${randomBytes(10).toString('hex')}`;

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const hashOf = (value: unknown) => createHash('sha256').update(stableJson(value)).digest('hex');

/**
 * Remembers an Idempotency-Key: the first request with a key claims an order id with a conditional put; a
 * retry gets the same order id back. The same key with a different body is a conflict.
 */
async function claimOrderId(
  deps: OrderServiceDeps,
  customerId: string,
  idempotencyKey: string,
  requestHash: string,
  now: Date,
): Promise<{ orderId: string; replay: boolean }> {
  const key = keys.idempotency(customerId, idempotencyKey);
  const orderId = (deps.newOrderId ?? newOrderId)();
  try {
    await deps.client.send(
      new PutCommand({
        TableName: deps.tableName(),
        Item: {
          ...key,
          entity: 'IDEMPOTENCY_KEY',
          orderId,
          customerId,
          requestHash,
          createdAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + (deps.idempotencyTtlSeconds ?? 24 * 3600),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { orderId, replay: false };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const out = await deps.client.send(
    new GetCommand({ TableName: deps.tableName(), Key: key, ConsistentRead: true }),
  );
  const item = out.Item;
  if (!item)
    throw new ConflictError(`Idempotency-Key ${idempotencyKey} is being used by a concurrent request; retry`);
  if (item.requestHash !== requestHash) {
    throw new ConflictError(
      `Idempotency-Key ${idempotencyKey} was already used with a different request body`,
      [{ field: 'Idempotency-Key', orderId: item.orderId }],
    );
  }
  return { orderId: item.orderId as string, replay: true };
}

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
    ? await claimOrderId(deps, customerId, idempotencyKey, hashOf(input), now)
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
