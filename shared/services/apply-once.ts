/**
 * applyOnce, the service step every saga participant takes for one input: decide from the current entity,
 * write the new state and its output events in one conditional put, publish. It sits with the services
 * because it composes the domain's decision with the store and the publisher (adapters).
 */
import { type AnyEvent, completeEvent, type EventDraft, type EventType } from '#shared/contracts';
import { orderIdOf, TOPIC_OF } from '#shared/contracts/routing';
import type { EntityStore, ItemKey, Versioned } from '#shared/db/entity-store';
import type { Decision } from '#shared/domain/decision';
import { ConcurrentUpdateError } from '#shared/errors';
import type { EventPublisher } from '#shared/kafka';

export interface ApplyOnceOptions<S extends { readonly status: string }> {
  readonly store: EntityStore<S>;
  readonly key: ItemKey;
  /** What caused this change: the input event id, or an API command such as `accept:<runnerId>`. */
  readonly cause: string;
  /** Publishing service, for the `source` of output events. */
  readonly source: string;
  /** Decides from the current entity (undefined when there is none). May throw a TransitionError. */
  readonly decide: (current: Versioned<S> | undefined) => Decision<S> | Promise<Decision<S>>;
  readonly publisher: EventPublisher;
  readonly expiresAt?: (state: S) => number | undefined;
  readonly now?: () => Date;
  /** Conditional-write attempts before giving up with a (retriable) ConcurrentUpdateError. */
  readonly maxAttempts?: number;
  /**
   * What the caller already knows the item to be, so the first attempt skips its read: `current: undefined`
   * for an item that cannot exist yet (a fresh id), or the `item` an earlier applyOnce returned. Safe when it
   * is stale: the conditional write then fails and the next attempt reads the item as usual.
   */
  readonly assume?: { readonly current: Versioned<S> | undefined };
}

export interface ApplyOnceResult<S> {
  /** `applied`: written now; `replayed`: this cause was applied before and its events re-published; `ignored`. */
  readonly outcome: 'applied' | 'replayed' | 'ignored';
  readonly events: readonly AnyEvent[];
  readonly state?: S;
  readonly reason?: string;
  /** The item as it stands after this call (as read, or as written); undefined when there is none. */
  readonly item?: Versioned<S>;
}

/**
 * Applies one input to one entity at most once, then publishes its output events.
 *
 * 1. Read the item (unless the caller knows it: `assume`). If it already records this cause, re-publish the stored events unchanged: a crash after
 *    the write and before the publish loses nothing, and a duplicate makes no second effect.
 * 2. Otherwise decide; write the new state together with the complete output events in one conditional put
 *    on the version and status that were read. If another writer won the race, read again and re-decide.
 * 3. Publish. A publish failure throws (retriable); the redelivery takes step 1.
 */
export async function applyOnce<S extends { readonly status: string }>(
  options: ApplyOnceOptions<S>,
): Promise<ApplyOnceResult<S>> {
  const { store, key, cause, source, publisher } = options;
  const now = options.now ?? (() => new Date());
  const attempts = options.maxAttempts ?? 5;
  let lastConflict: ConcurrentUpdateError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = attempt === 0 && options.assume ? options.assume.current : await store.get(key);
    const stored = current?.emitted[cause];
    if (stored) {
      await publishEvents(publisher, stored);
      return { outcome: 'replayed', events: stored, state: current.state, item: current };
    }
    const decision = await options.decide(current);
    if (decision.kind === 'ignore')
      return {
        outcome: 'ignored',
        events: [],
        state: current?.state,
        reason: decision.reason,
        item: current,
      };
    const events = decision.emit.map(
      (draft) => completeEvent(draft as EventDraft<EventType>, source, now) as AnyEvent,
    );
    const next: Versioned<S> = {
      state: decision.state,
      version: (current?.version ?? 0) + 1,
      emitted: { ...(current?.emitted ?? {}), [cause]: events },
    };
    try {
      await store.put(
        key,
        next,
        current ? { version: current.version, status: current.state.status } : undefined,
        { expiresAt: options.expiresAt?.(decision.state), now: now() },
      );
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) {
        lastConflict = error;
        continue;
      }
      throw error;
    }
    await publishEvents(publisher, events);
    return { outcome: 'applied', events, state: decision.state, item: next };
  }
  throw lastConflict ?? new ConcurrentUpdateError(`${store.entity} ${key.pk}: too many concurrent updates`);
}

/** Publishes complete events, in order, each to its topic, keyed by the order id. */
export async function publishEvents(publisher: EventPublisher, events: readonly AnyEvent[]): Promise<void> {
  for (const event of events) {
    await publisher.publish(TOPIC_OF[event.type], event as never, { key: keyOf(event) });
  }
}

export const keyOf = (event: AnyEvent): string => orderIdOf(event);
