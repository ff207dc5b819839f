import type { z } from 'zod';
import type { AnyEvent, CancelReason, EventDraft, OrderItem } from '#shared/contracts';
import { orderIdOf } from '#shared/contracts/routing';
import { change, type Decision, orderEvent } from '#shared/domain/decision';
import { ForbiddenError, RejectedRecordError, ValidationError } from '#shared/errors';
import { forwardPath, ORDER_MACHINE, type OrderStatus } from './machine';

export type OrderItemInput = z.infer<typeof OrderItem>;
export type CancelReasonValue = z.infer<typeof CancelReason>;

/** One line of an order's history: a saga event it produced or consumed, and what it did. */
export interface HistoryEntry {
  readonly type: string;
  readonly eventId: string;
  readonly at: string;
  readonly source: string;
  /** `applied`: moved the order or was produced by it; `recorded`: noted, no status change (late or informational). */
  readonly effect: 'applied' | 'recorded';
  /** Status after the event. */
  readonly status: OrderStatus;
  readonly note?: string;
}

export interface OrderState {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly customerId: string;
  readonly runnerId?: string;
  readonly items: readonly OrderItemInput[];
  readonly totalCents: number;
  readonly deliveryLocation: string;
  readonly paymentMethod: string;
  readonly cancelReason?: CancelReasonValue;
  readonly paymentId?: string;
  readonly holdId?: string;
  readonly scheduleName?: string;
  readonly deadline?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly HistoryEntry[];
}

export interface NewOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly items: readonly OrderItemInput[];
  readonly deliveryLocation: string;
  readonly paymentMethod: string;
}

/** Sum of quantity x unit price in whole cents; refuses a total that is not a safe integer. */
export function orderTotal(items: readonly OrderItemInput[]): number {
  let total = 0;
  for (const [i, item] of items.entries()) {
    const line = item.quantity * item.unitPriceCents;
    total += line;
    if (!Number.isSafeInteger(line) || !Number.isSafeInteger(total)) {
      throw new ValidationError('the order total is too large', [
        {
          path: `items.${i}.unitPriceCents`,
          message: 'makes the order total exceed the largest amount of cents',
        },
      ]);
    }
  }
  return total;
}

function entryOf(
  event: EventDraft | AnyEvent,
  status: OrderStatus,
  effect: HistoryEntry['effect'],
  note?: string,
): HistoryEntry {
  return {
    type: event.type,
    eventId: event.id ?? '',
    at: event.timestamp ?? '',
    source: event.source ?? 'order',
    effect,
    status,
    note,
  };
}

const draft: typeof orderEvent = (type, orderId, payload, now) =>
  orderEvent(type, orderId, payload, now, 'order');

/** A new order in CREATED, and its ORDER_CREATED event. */
export function createOrder(input: NewOrder, now: Date): Decision<OrderState> {
  ORDER_MACHINE.assert(input.orderId, undefined, 'CREATED', 'create');
  const totalCents = orderTotal(input.items);
  const created = draft(
    'ORDER_CREATED',
    input.orderId,
    {
      orderId: input.orderId,
      customerId: input.customerId,
      items: input.items.map((i) => ({ ...i })),
      totalCents,
      deliveryLocation: input.deliveryLocation,
      paymentMethod: input.paymentMethod,
    },
    now,
  );
  const at = now.toISOString();
  return change<OrderState>(
    {
      ...input,
      status: 'CREATED',
      totalCents,
      createdAt: at,
      updatedAt: at,
      history: [entryOf(created, 'CREATED', 'applied')],
    },
    [created],
  );
}

function cancelled(
  state: OrderState,
  reason: CancelReasonValue,
  trigger: string,
  now: Date,
  cause?: AnyEvent,
): Decision<OrderState> {
  ORDER_MACHINE.assert(state.orderId, state.status, 'CANCELLED', trigger);
  const out = draft(
    'ORDER_CANCELLED',
    state.orderId,
    { orderId: state.orderId, customerId: state.customerId, totalCents: state.totalCents, reason },
    now,
  );
  const history = [...state.history];
  if (cause) history.push(entryOf(cause, 'CANCELLED', 'applied'));
  history.push(entryOf(out, 'CANCELLED', 'applied', `reason ${reason}`));
  return change(
    { ...state, status: 'CANCELLED', cancelReason: reason, updatedAt: now.toISOString(), history },
    [out],
  );
}

/** Notes an event that does not move the order (late, duplicate in meaning, or informational). */
function recorded(state: OrderState, event: AnyEvent, note: string, now: Date): Decision<OrderState> {
  return change({
    ...state,
    updatedAt: now.toISOString(),
    history: [...state.history, entryOf(event, state.status, 'recorded', note)],
  });
}

/** Moves forward along the chain to `target` (catching up when steps arrived out of order), or records. */
function advance(
  state: OrderState,
  event: AnyEvent,
  target: OrderStatus,
  facts: Partial<OrderState>,
  now: Date,
) {
  const path = forwardPath(state.status, target);
  const next = { ...state, ...facts, updatedAt: now.toISOString() };
  if (!path) {
    return change({
      ...next,
      history: [...state.history, entryOf(event, state.status, 'recorded', `order already ${state.status}`)],
    });
  }
  return change({
    ...next,
    status: target,
    history: [
      ...state.history,
      entryOf(
        event,
        target,
        'applied',
        path.length > 1 ? `caught up via ${path.slice(0, -1).join(', ')}` : undefined,
      ),
    ],
  });
}

/**
 * The order's reaction to a saga outcome (payment-events, escrow-events, timer-events). Late events change
 * nothing but are recorded in the history: a timeout after acceptance, a hold after cancellation.
 */
export function onSagaEvent(state: OrderState | undefined, event: AnyEvent, now: Date): Decision<OrderState> {
  const orderId = orderIdOf(event);
  if (!state) {
    throw new RejectedRecordError(`order ${orderId} does not exist; cannot apply ${event.type} ${event.id}`);
  }
  switch (event.type) {
    case 'PAYMENT_AUTHORIZED':
      return advance(state, event, 'PAYMENT_AUTHORIZED', { paymentId: event.payload.paymentId }, now);
    case 'FUNDS_HELD':
      return advance(
        state,
        event,
        'FUNDS_HELD',
        { paymentId: event.payload.paymentId, holdId: event.payload.holdId },
        now,
      );
    case 'TIMER_STARTED':
      return advance(
        state,
        event,
        'AWAITING_RUNNER',
        { scheduleName: event.payload.scheduleName, deadline: event.payload.deadline },
        now,
      );
    case 'PAYMENT_FAILED':
      if (state.status !== 'CREATED') return recorded(state, event, `order already ${state.status}`, now);
      return cancelled(state, 'PAYMENT_FAILED', 'PAYMENT_FAILED', now, event);
    case 'ORDER_TIMEOUT':
      if (!ORDER_MACHINE.allowed(state.status, 'CANCELLED')) {
        return recorded(state, event, `timeout ignored: order already ${state.status}`, now);
      }
      return cancelled(state, 'TIMEOUT', 'ORDER_TIMEOUT', now, event);
    case 'PAYMENT_CAPTURED':
    case 'PAYMENT_VOIDED':
    case 'FUNDS_RELEASED':
    case 'FUNDS_REFUNDED':
    case 'TIMER_CANCELLED':
      return recorded(state, event, 'money or timer outcome', now);
    default:
      throw new RejectedRecordError(`the order service does not consume ${event.type} (event ${event.id})`);
  }
}

/** A runner accepts an order that is awaiting one. A customer cannot run their own order. */
export function acceptOrder(state: OrderState, runnerId: string, now: Date): Decision<OrderState> {
  if (runnerId === state.customerId) {
    throw new ForbiddenError(`user ${runnerId} placed order ${state.orderId} and cannot also run it`);
  }
  ORDER_MACHINE.assert(state.orderId, state.status, 'ACCEPTED', 'accept');
  const out = draft(
    'ORDER_ACCEPTED',
    state.orderId,
    { orderId: state.orderId, customerId: state.customerId, runnerId, totalCents: state.totalCents },
    now,
  );
  return change(
    {
      ...state,
      status: 'ACCEPTED',
      runnerId,
      updatedAt: now.toISOString(),
      history: [...state.history, entryOf(out, 'ACCEPTED', 'applied')],
    },
    [out],
  );
}

/** The accepting runner completes the order. */
export function completeOrder(state: OrderState, runnerId: string, now: Date): Decision<OrderState> {
  if (state.runnerId !== undefined && state.runnerId !== runnerId) {
    throw new ForbiddenError(
      `order ${state.orderId} was accepted by another runner; only that runner can complete it`,
    );
  }
  ORDER_MACHINE.assert(state.orderId, state.status, 'COMPLETED', 'complete');
  const out = draft(
    'ORDER_COMPLETED',
    state.orderId,
    { orderId: state.orderId, customerId: state.customerId, runnerId, totalCents: state.totalCents },
    now,
  );
  return change(
    {
      ...state,
      status: 'COMPLETED',
      updatedAt: now.toISOString(),
      history: [...state.history, entryOf(out, 'COMPLETED', 'applied')],
    },
    [out],
  );
}

/** The customer cancels before a runner accepts. */
export function cancelByCustomer(state: OrderState, customerId: string, now: Date): Decision<OrderState> {
  if (state.customerId !== customerId) {
    throw new ForbiddenError(`only the customer who placed order ${state.orderId} can cancel it`);
  }
  return cancelled(state, 'CUSTOMER', 'cancel', now);
}

/** The order as the API returns it (the payment token is not echoed back). */
export function orderView(state: OrderState) {
  return {
    orderId: state.orderId,
    status: state.status,
    customerId: state.customerId,
    runnerId: state.runnerId ?? null,
    items: state.items,
    totalCents: state.totalCents,
    deliveryLocation: state.deliveryLocation,
    cancelReason: state.cancelReason ?? null,
    paymentId: state.paymentId ?? null,
    holdId: state.holdId ?? null,
    acceptDeadline: state.deadline ?? null,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    history: state.history,
  };
}
