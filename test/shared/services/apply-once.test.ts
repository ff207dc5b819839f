/**
 * applyOnce under real contention on dynalite: a store wrapper lets a competing writer win the race right
 * before each conditional put (a real write through the same EntityStore, so the put really fails its
 * condition), which is what two Lambda instances handling the same order at once look like. Pins the retry
 * budget, the retriable classification of giving up (the consumer fails the batch instead of
 * dead-lettering), that nothing is published for a lost race, and that a duplicate that wins is replayed.
 */

import { processBatch } from '#shared/consumer/process-batch';
import type { EventDraft, EventOf } from '#shared/contracts';
import { EntityStore, type ItemKey, type Versioned } from '#shared/db/entity-store';
import { change, ignore } from '#shared/domain/decision';
import { ConcurrentUpdateError, isPermanent } from '#shared/errors';
import { applyOnce } from '#shared/services/apply-once';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

interface Counter {
  readonly status: string;
  readonly n: number;
  readonly by: readonly string[];
}

const NOW = new Date('2026-03-19T13:00:00.000Z');

const cancelled = (n: number, orderId = 'ord-c'): EventDraft =>
  ({
    type: 'TIMER_CANCELLED',
    correlationId: orderId,
    payload: { orderId, scheduleName: `s-${n}`, reason: 'ORDER_ACCEPTED' },
  }) as EventDraft;

/** Adds one to the counter, remembering who did it, and emits one event naming the new count. */
const bump = (who: string) => (current: Versioned<Counter> | undefined) => {
  const n = (current?.state.n ?? 0) + 1;
  return change<Counter>({ status: `N${n}`, n, by: [...(current?.state.by ?? []), who] }, [cancelled(n)]);
};

/**
 * An EntityStore whose puts lose the race while `contend` says so: right before our put, a competitor
 * writes the next version of the same item (for real, conditionally, through dynalite).
 */
class ContendedStore extends EntityStore<Counter> {
  gets = 0;
  puts = 0;
  competitorWrites = 0;
  contend: (put: number) => boolean = () => true;
  /** What the competitor writes; by default one more bump with its own cause. */
  competitor: (key: ItemKey) => Promise<void> = async (key) => {
    const current = await super.get(key);
    const decision = bump('competitor')(current);
    if (decision.kind !== 'change') throw new Error('unreachable');
    await super.put(
      key,
      {
        state: decision.state,
        version: (current?.version ?? 0) + 1,
        emitted: { ...(current?.emitted ?? {}), [`competitor-${this.competitorWrites}`]: [] },
      },
      current ? { version: current.version, status: current.state.status } : undefined,
    );
  };

  override async get(key: ItemKey) {
    this.gets++;
    return super.get(key);
  }

  override async put(...args: Parameters<EntityStore<Counter>['put']>) {
    this.puts++;
    if (this.contend(this.puts)) {
      await this.competitor(args[0]);
      this.competitorWrites++;
    }
    return super.put(...args);
  }
}

describe('applyOnce with two writers racing on dynalite', () => {
  let dynamo: Dynamo;
  let store: ContendedStore;
  let publisher: MemoryPublisher;
  let seq = 0;
  let key: ItemKey;

  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    store = new ContendedStore(dynamo.client, () => TABLES.TIMERS_TABLE, 'COUNTER');
    publisher = new MemoryPublisher('test', () => NOW);
    key = { pk: `COUNTER#${++seq}`, sk: 'COUNTER' };
  });

  const apply = (cause: string, extra: Partial<Parameters<typeof applyOnce<Counter>>[0]> = {}) =>
    applyOnce<Counter>({
      store,
      key,
      cause,
      source: 'test',
      publisher,
      now: () => NOW,
      decide: bump(cause),
      ...extra,
    });

  it('gives up after maxAttempts lost races with a retriable ConcurrentUpdateError and publishes nothing', async () => {
    const failure = await apply('ours', { maxAttempts: 3 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConcurrentUpdateError);
    expect(failure).toMatchObject({ retriable: true, name: 'ConcurrentUpdateError' });
    expect(isPermanent(failure)).toBe(false);
    expect((failure as Error).message).toMatch(/^COUNTER COUNTER#\d+ changed since it was read/);
    expect((failure as Error).cause).toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect([store.gets, store.puts, store.competitorWrites]).toEqual([3, 3, 3]);
    expect(publisher.published).toEqual([]);
    // only the competitor's three writes are stored; ours never
    const stored = await store.get(key);
    expect(stored).toMatchObject({
      version: 3,
      state: { n: 3, by: ['competitor', 'competitor', 'competitor'] },
    });
    expect(Object.keys(stored!.emitted)).not.toContain('ours');
  });

  it('fails at once on a write error that is not a lost race, trying no second time', async () => {
    const throttled = new Error('ProvisionedThroughputExceededException');
    store.contend = (put) => put === 1;
    store.competitor = async () => {
      throw throttled;
    };
    await expect(apply('ours')).rejects.toBe(throttled);
    expect([store.gets, store.puts]).toEqual([1, 1]);
    expect(await store.get(key)).toBeUndefined();
    expect(publisher.published).toEqual([]);
  });

  it('tries five times by default', async () => {
    await expect(apply('ours')).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect([store.gets, store.puts]).toEqual([5, 5]);
  });

  it('wins on its last attempt when the competitor stops, deciding on the state the competitor left', async () => {
    store.contend = (put) => put < 3;
    const result = await apply('ours', { maxAttempts: 3 });
    expect(result.outcome).toBe('applied');
    expect(result.state).toEqual({ status: 'N3', n: 3, by: ['competitor', 'competitor', 'ours'] });
    expect(result.item).toMatchObject({ version: 3 });
    expect(await store.get(key)).toEqual(result.item);
    expect(publisher.events().map((e) => (e.payload as { scheduleName: string }).scheduleName)).toEqual([
      's-3',
    ]);
  });

  it('replays, without a second effect, when a duplicate of the same input wins the race', async () => {
    // The competitor is another delivery of the same input: same cause, same decision.
    const other = new MemoryPublisher('test', () => NOW);
    store.contend = (put) => put === 1;
    store.competitor = async () => {
      const plain = new EntityStore<Counter>(dynamo.client, () => TABLES.TIMERS_TABLE, 'COUNTER');
      await applyOnce<Counter>({
        store: plain,
        key,
        cause: 'evt-1',
        source: 'test',
        publisher: other,
        now: () => NOW,
        decide: bump('evt-1'),
      });
    };
    const result = await apply('evt-1');
    expect(result.outcome).toBe('replayed');
    expect(result.events).toEqual(other.events());
    expect(publisher.events()).toEqual(other.events());
    expect(await store.get(key)).toMatchObject({ version: 1, state: { n: 1, by: ['evt-1'] } });
  });

  it('lets two concurrent writers with different inputs both apply, one after the other', async () => {
    const plain = new EntityStore<Counter>(dynamo.client, () => TABLES.TIMERS_TABLE, 'COUNTER');
    const run = (cause: string) =>
      applyOnce<Counter>({
        store: plain,
        key,
        cause,
        source: 'test',
        publisher,
        now: () => NOW,
        decide: bump(cause),
      });
    const results = await Promise.all([run('a'), run('b'), run('c')]);
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied']);
    const stored = await plain.get(key);
    expect(stored?.version).toBe(3);
    expect([...stored!.state.by].sort()).toEqual(['a', 'b', 'c']);
    expect(Object.keys(stored!.emitted).sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(publisher.events().map((e) => e.id)).size).toBe(3);
  });

  it('skips its first read when the caller knows the item (assume), and reads on the retry', async () => {
    store.contend = () => false;
    const first = await apply('a', { assume: { current: undefined } });
    expect(first.outcome).toBe('applied');
    expect([store.gets, store.puts]).toEqual([0, 1]);
    const second = await apply('b', { assume: { current: first.item } });
    expect(second.item).toMatchObject({ version: 2, state: { n: 2, by: ['a', 'b'] } });
    expect([store.gets, store.puts]).toEqual([0, 2]);
    // a stale assumption costs one lost write and one read, nothing more
    store.contend = (put) => put === 3;
    const third = await apply('c', { assume: { current: second.item } });
    expect(third.item).toMatchObject({ version: 4, state: { by: ['a', 'b', 'competitor', 'c'] } });
    expect([store.gets, store.puts]).toEqual([1, 4]);
  });

  it('keys every published event by its order id, whatever its correlation id', async () => {
    store.contend = () => false;
    await apply('k', {
      decide: () =>
        change<Counter>({ status: 'N1', n: 1, by: ['k'] }, [
          {
            type: 'TIMER_CANCELLED',
            correlationId: 'corr-elsewhere',
            payload: { orderId: 'ord-key', scheduleName: 's-1', reason: 'ORDER_ACCEPTED' },
          } as EventDraft,
        ]),
    });
    expect(publisher.published.map((m) => [m.topic, m.key, m.event.correlationId])).toEqual([
      ['timer-events', 'ord-key', 'corr-elsewhere'],
    ]);
  });

  it('throws the ConcurrentUpdateError it makes itself when it may not try at all', async () => {
    await expect(apply('ours', { maxAttempts: 0 })).rejects.toThrow(
      new ConcurrentUpdateError(`COUNTER ${key.pk}: too many concurrent updates`),
    );
    expect([store.gets, store.puts]).toEqual([0, 0]);
  });

  it('writes nothing and publishes nothing for an ignored input', async () => {
    const result = await apply('late', { decide: () => ignore('late event') });
    expect(result).toEqual({ outcome: 'ignored', events: [], state: undefined, reason: 'late event' });
    expect(store.puts).toBe(0);
    expect(await store.get(key)).toBeUndefined();
  });

  it('fails the consumer batch (no dead letter) when it gives up, so the ESM retries the record', async () => {
    const event: EventOf<'ORDER_ACCEPTED'> = {
      id: 'evt-race',
      type: 'ORDER_ACCEPTED',
      timestamp: NOW.toISOString(),
      source: 'order',
      correlationId: 'ord-c',
      payload: { orderId: 'ord-c', customerId: 'cust-1', runnerId: 'r-1', totalCents: 900 },
    };
    const batch = mskEvent([{ topic: 'order-events', offset: 3, value: event }]);
    const deps = { consumer: 'timer', publisher, logger: silentLogger() };
    await expect(
      processBatch(batch, deps, async (e) => {
        await apply(e.id, { maxAttempts: 2 });
      }),
    ).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect(publisher.events('dead-letters')).toEqual([]);
    // the redelivery, once the competitor is gone, applies it
    store.contend = () => false;
    const summary = await processBatch(batch, deps, async (e) => {
      await apply(e.id);
    });
    expect(summary).toMatchObject({ records: 1, handled: 1, deadLettered: [] });
    expect(Object.keys((await store.get(key))!.emitted)).toContain('evt-race');
  });
});
