import type { AnyEvent } from '#shared/contracts';
import { orderIdOf } from '#shared/contracts/routing';
import type { EntityStore } from '#shared/db/entity-store';
import { keys } from '#shared/db/keys';
import { decideEscrow, ESCROW_NEEDS_NOTHING, type EscrowState } from '#shared/domain/escrow/escrow';
import type { EventPublisher } from '#shared/kafka';
import { applyOnce } from './apply-once';

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
