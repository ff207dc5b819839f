import { EntityStore, type Versioned } from '#shared/db/entity-store';
import { change } from '#shared/domain/decision';
import { applyOnce } from '#shared/services/apply-once';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { MemoryPublisher } from '#test/support/memory-publisher';

interface Counter {
  readonly status: string;
  readonly n: number;
}

const bump = (current: { state: Counter } | undefined) =>
  change<Counter>({ status: 'COUNTING', n: (current?.state.n ?? 0) + 1 }, [
    {
      type: 'TIMER_CANCELLED',
      correlationId: 'ord-1',
      payload: { orderId: 'ord-1', scheduleName: `s-${(current?.state.n ?? 0) + 1}`, reason: 'test' },
    } as never,
  ]);

describe('applyOnce with an assumed item (no read first)', () => {
  let dynamo: Dynamo;
  let store: EntityStore<Counter>;
  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new EntityStore<Counter>(dynamo.client, () => TABLES.TIMERS_TABLE, 'COUNTER');
  });
  afterAll(() => dynamo.close());

  const apply = (pk: string, cause: string, assume?: { current: Versioned<Counter> | undefined }) =>
    applyOnce<Counter>({
      store,
      key: { pk, sk: 'C' },
      cause,
      source: 'test',
      publisher: new MemoryPublisher('test'),
      decide: bump,
      ...(assume ? { assume } : {}),
    });

  it('writes a new item without reading when it is assumed absent, and returns the item written', async () => {
    const r = await apply('A', 'c1', { current: undefined });
    expect(r.outcome).toBe('applied');
    expect(r.item).toMatchObject({ version: 1, state: { n: 1 } });
    expect((await store.get({ pk: 'A', sk: 'C' }))?.version).toBe(1);
  });

  it('falls back to reading when the assumption is wrong: a duplicate is replayed, a stale item re-decided', async () => {
    const first = await apply('B', 'c1');
    // assumed absent, but it exists with this cause: the conditional write fails, the read finds the cause
    const dup = await apply('B', 'c1', { current: undefined });
    expect(dup.outcome).toBe('replayed');
    expect(dup.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    // a stale item (version 1) while the stored one moved on: re-read and decided on the current one
    await apply('B', 'c2');
    const stale = await apply('B', 'c3', { current: first.item });
    expect(stale.outcome).toBe('applied');
    expect(stale.item).toMatchObject({ version: 3, state: { n: 3 } });
    expect(Object.keys(stale.item!.emitted).sort()).toEqual(['c1', 'c2', 'c3']);
  });
});
