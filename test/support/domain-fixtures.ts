import type { AnyEvent, EventOf, EventType } from '#shared/contracts';

export const NOW = new Date('2026-03-19T13:00:00.000Z');

/** A complete event of a type with a payload; id and envelope are fixed so expectations stay readable. */
export function ev<T extends EventType>(
  type: T,
  payload: EventOf<T>['payload'],
  id = `evt-${type.toLowerCase()}`,
): AnyEvent {
  const orderId = (payload as { orderId?: string }).orderId ?? 'ord-1';
  return {
    id,
    type,
    timestamp: '2026-03-19T12:59:00.000Z',
    source: 'test',
    correlationId: orderId,
    payload,
  } as AnyEvent;
}
