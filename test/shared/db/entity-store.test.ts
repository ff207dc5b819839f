/**
 * The entity store on dynalite: the item layout every entity table shares (docs/state-machines.md), the
 * conditions of its writes (no item; same version and status), and which failures are a lost race
 * (ConcurrentUpdateError, retriable) and which are passed on unchanged.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { EntityStore, type Versioned } from '#shared/db/entity-store';
import { change } from '#shared/domain/decision';
import { ConcurrentUpdateError } from '#shared/errors';
import { applyOnce } from '#shared/services/apply-once';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { MemoryPublisher } from '#test/support/memory-publisher';

interface Thing {
  readonly status: string;
  readonly n: number;
}

const NOW = new Date('2026-03-19T13:00:00.000Z');

describe('EntityStore on dynalite', () => {
  let dynamo: Dynamo;
  let store: EntityStore<Thing>;
  const raw = async (pk: string) =>
    (await dynamo.client.send(new GetCommand({ TableName: TABLES.TIMERS_TABLE, Key: { pk, sk: 'T' } }))).Item;

  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new EntityStore<Thing>(dynamo.client, () => TABLES.TIMERS_TABLE, 'THING');
  });
  afterAll(() => dynamo.close());

  const v = (n: number, status = `S${n}`, emitted: Versioned<Thing>['emitted'] = {}): Versioned<Thing> => ({
    state: { status, n },
    version: n,
    emitted,
  });

  it('writes the documented item layout and reads it back', async () => {
    await store.put({ pk: 'L1', sk: 'T' }, v(1), undefined, { expiresAt: 1_800_000_000, now: NOW });
    expect(await raw('L1')).toEqual({
      pk: 'L1',
      sk: 'T',
      entity: 'THING',
      status: 'S1',
      version: 1,
      state: { status: 'S1', n: 1 },
      emitted: {},
      updatedAt: NOW.toISOString(),
      expiresAt: 1_800_000_000,
    });
    expect(await store.get({ pk: 'L1', sk: 'T' })).toEqual(v(1));
    expect(await store.get({ pk: 'nothing', sk: 'T' })).toBeUndefined();
  });

  it('stamps updatedAt with the current time and leaves expiresAt out when there is none', async () => {
    const before = Date.now();
    await store.put({ pk: 'L2', sk: 'T' }, v(1), undefined);
    const item = await raw('L2');
    expect(Date.parse(item!.updatedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(item!.updatedAt)).toBeLessThanOrEqual(Date.now());
    expect(item).not.toHaveProperty('expiresAt');
  });

  it('reads an item written without emitted events as having none', async () => {
    await dynamo.client.send(
      new PutCommand({
        TableName: TABLES.TIMERS_TABLE,
        Item: { pk: 'L3', sk: 'T', state: { status: 'S1', n: 1 }, version: 1 },
      }),
    );
    expect(await store.get({ pk: 'L3', sk: 'T' })).toEqual(v(1));
  });

  it('refuses to create an item that exists, naming what it expected', async () => {
    await store.put({ pk: 'C1', sk: 'T' }, v(1), undefined);
    const lost = await store.put({ pk: 'C1', sk: 'T' }, v(1), undefined).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ConcurrentUpdateError);
    expect((lost as Error).message).toBe('THING C1 changed since it was read (expected no item)');
    expect(await store.get({ pk: 'C1', sk: 'T' })).toEqual(v(1));
  });

  it('updates only from the expected version and status', async () => {
    const key = { pk: 'C2', sk: 'T' };
    await store.put(key, v(1), undefined);
    // same version, other status; other version, same status: both lose
    for (const expected of [
      { version: 1, status: 'S9' },
      { version: 2, status: 'S1' },
    ]) {
      const lost = await store.put(key, v(2), expected).catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(ConcurrentUpdateError);
      expect((lost as Error).message).toBe(
        `THING C2 changed since it was read (expected version ${expected.version}, status ${expected.status})`,
      );
    }
    expect((await store.get(key))?.version).toBe(1);
    await store.put(key, v(2), { version: 1, status: 'S1' });
    expect(await store.get(key)).toEqual(v(2));
  });

  it('passes other DynamoDB failures on unchanged (they are not a lost race)', async () => {
    const missing = new EntityStore<Thing>(dynamo.client, () => 'no-such-table', 'THING');
    const failure = await missing.put({ pk: 'X', sk: 'T' }, v(1), undefined).catch((e: unknown) => e);
    expect(failure).not.toBeInstanceOf(ConcurrentUpdateError);
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('recognises a failed condition by its name too (an SDK error class from another copy of the SDK)', async () => {
    const foreign = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
    });
    const client = {
      send: async () => {
        throw foreign;
      },
    } as unknown as typeof dynamo.client;
    const other = new EntityStore<Thing>(client, () => TABLES.TIMERS_TABLE, 'THING');
    const lost = await other.put({ pk: 'F', sk: 'T' }, v(1), undefined).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ConcurrentUpdateError);
    expect((lost as Error).cause).toBe(foreign);
  });

  it('writes the expiry applyOnce computes from the new state, and applyOnce’s clock', async () => {
    const result = await applyOnce<Thing>({
      store,
      key: { pk: 'A1', sk: 'T' },
      cause: 'c1',
      source: 'test',
      publisher: new MemoryPublisher('test'),
      now: () => NOW,
      decide: () => change<Thing>({ status: 'DONE', n: 7 }),
      expiresAt: (state) => (state.status === 'DONE' ? 1_900_000_000 + state.n : undefined),
    });
    expect(result).toMatchObject({ outcome: 'applied', state: { status: 'DONE', n: 7 } });
    expect(await raw('A1')).toMatchObject({ expiresAt: 1_900_000_007, updatedAt: NOW.toISOString() });
  });
});
