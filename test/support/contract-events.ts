/**
 * Test events built from the contract fixtures (shared/contracts/fixtures.ts), the one way consumer tests
 * make an event: a schema change that breaks a fixture breaks every test that starts from it.
 */
import type { AnyEvent, EventOf, EventType, PayloadOf } from '#shared/contracts';
import { FIXTURES } from '#shared/contracts/fixtures';

/**
 * The contract fixture of `type`, re-addressed to `orderId` (correlation id and `payload.orderId`), with its
 * own event id `evt-<type>-<orderId>` and `payload` fields replaced.
 */
export function fixtureEvent<T extends EventType>(
  type: T,
  orderId: string,
  payload: Partial<PayloadOf<T>> = {},
): EventOf<T> {
  const f = FIXTURES[type] as AnyEvent;
  return {
    ...f,
    id: `evt-${type.toLowerCase()}-${orderId}`,
    correlationId: orderId,
    payload: { ...f.payload, orderId, ...payload },
  } as unknown as EventOf<T>;
}
