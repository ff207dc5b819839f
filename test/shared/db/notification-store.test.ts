/**
 * The notifications adapter on dynalite: an item is written once (a second write under the same key answers
 * the first item), and a user's items come back newest first, a page at a time, with a cursor that only that
 * user can use.
 */
import { DynamoNotificationStore } from '#shared/db/notification-store';
import { ValidationError } from '#shared/errors';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';

const key = (userId: string, at: string, id: string) => ({
  pk: `USER#${userId}`,
  sk: `NOTIFICATION#${at}#${id}`,
});

describe('DynamoNotificationStore', () => {
  let dynamo: Dynamo;
  let store: DynamoNotificationStore;
  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new DynamoNotificationStore(dynamo.client, () => TABLES.NOTIFICATIONS_TABLE);
  });
  afterAll(() => dynamo.close());

  it('writes an item once; a second write under the key answers the first item', async () => {
    const k = key('u-once', '2026-03-19T13:00:00.000Z', 'n1');
    expect(await store.putOnce(k, { title: 'first' })).toEqual({ ...k, title: 'first' });
    expect(await store.putOnce(k, { title: 'second' })).toEqual({ ...k, title: 'first' });
  });

  it('pages a user’s items newest first and refuses another user’s cursor', async () => {
    for (const minute of ['01', '02', '03'])
      await store.putOnce(key('u-page', `2026-03-19T13:${minute}:00.000Z`, `n${minute}`), { minute });
    await store.putOnce(key('u-other', '2026-03-19T13:09:00.000Z', 'x'), { minute: '09' });

    const first = await store.page('u-page', { limit: 2 });
    expect(first.items.map((i) => i.minute)).toEqual(['03', '02']);
    expect(first.nextCursor).not.toBeNull();
    const second = await store.page('u-page', { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((i) => i.minute)).toEqual(['01']);
    expect(second.nextCursor).toBeNull();

    await expect(store.page('u-other', { limit: 2, cursor: first.nextCursor! })).rejects.toThrow(
      ValidationError,
    );
    await expect(store.page('u-page', { limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow(
      'invalid cursor',
    );
  });
});
