import type { AnyEvent } from '../contracts';
import { applyOnce } from '../db/apply-once';
import type { EntityStore } from '../db/entity-store';
import { keys } from '../db/keys';
import { decideEscrow, ESCROW_NEEDS_NOTHING, type EscrowState } from '../domain/escrow/escrow';
import { orderIdOf } from '../domain/event-order';
import type { EventPublisher } from '../kafka';

export interface EscrowServiceDeps {
  readonly holds: EntityStore<EscrowState>;
  readonly publisher: EventPublisher;
  readonly now?: () => Date;
}

/** Applies an order or payment event to the order's hold at most once. */
export async function handleEscrowEvent(deps: EscrowServiceDeps, event: AnyEvent): Promise<void> {
  if (ESCROW_NEEDS_NOTHING.has(event.type)) return; // ignored whatever the hold: no read
  const now = deps.now?.() ?? new Date();
  await applyOnce<EscrowState>({
    store: deps.holds,
    key: keys.hold(orderIdOf(event)),
    cause: event.id,
    source: 'escrow',
    publisher: deps.publisher,
    now: deps.now,
    decide: (current) => decideEscrow(current?.state, event, now),
  });
}
