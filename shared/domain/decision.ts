import { type EventDraft, type EventType, eventId } from '#shared/contracts';

/**
 * What a pure domain function decides for one input: change the entity (and emit events), or leave it as it
 * is (a duplicate, a late event, an event that is not for this service). A transition the state machine
 * forbids is thrown as a TransitionError instead.
 */
export type Decision<S> =
  | { readonly kind: 'change'; readonly state: S; readonly emit: readonly EventDraft[] }
  | { readonly kind: 'ignore'; readonly reason: string };

export function change<S>(state: S, emit: readonly EventDraft[] = []): Decision<S> {
  return { kind: 'change', state, emit };
}

export function ignore<S>(reason: string): Decision<S> {
  return { kind: 'ignore', reason };
}

/**
 * The draft of an event that happens at most once per order (FUNDS_HELD, ORDER_ACCEPTED, ...): its id comes
 * from the type and the order id, so a re-decided duplicate yields the same event.
 */
export function orderEvent<T extends EventType>(
  type: T,
  orderId: string,
  payload: EventDraft<T>['payload'],
  now: Date,
  source?: string,
): EventDraft<T> {
  return {
    id: eventId(type, orderId),
    type,
    timestamp: now.toISOString(),
    ...(source ? { source } : {}),
    correlationId: orderId,
    payload,
  } as EventDraft<T>;
}
