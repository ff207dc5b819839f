/**
 * The notifications adapter on dynalite: an item is written once (a second write under the same key answers
 * the first item), and a user's items come back newest first, a page at a time, with a cursor that only that
 * user can use.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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

  it('pages only notification items of the user, and names the cursor field when refusing one', async () => {
    await store.putOnce({ pk: 'USER#u-mixed', sk: 'PROFILE' }, { minute: 'profile' });
    await store.putOnce(key('u-mixed', '2026-03-19T13:01:00.000Z', 'n1'), { minute: '01' });
    expect((await store.page('u-mixed', { limit: 10 })).items.map((i) => i.minute)).toEqual(['01']);
    expect(await store.page('u-nobody', { limit: 10 })).toEqual({ items: [], nextCursor: null });
    const foreign = Buffer.from(JSON.stringify({ pk: 'USER#u-page', sk: 7 })).toString('base64url');
    const error = await store.page('u-page', { limit: 2, cursor: foreign }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { path: 'cursor', message: 'is not a cursor returned by this API for this user' },
    ]);
  });

  /** The dynalite client behind a hook that may answer a command itself; records what was sent. */
  function hooked(hook: (command: object) => Promise<unknown> | undefined) {
    const sent: object[] = [];
    const client = {
      send: (command: object) => {
        sent.push(command);
        return hook(command) ?? dynamo.client.send(command as GetCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    return { sent, store: new DynamoNotificationStore(client, () => TABLES.NOTIFICATIONS_TABLE) };
  }

  it('passes on a write failure other than an existing item, without reading it', async () => {
    const throttled = new Error('ProvisionedThroughputExceededException');
    const { sent, store: s } = hooked((c) =>
      c instanceof PutCommand ? Promise.reject(throttled) : undefined,
    );
    await expect(s.putOnce(key('u-fail', '2026-03-19T13:00:00.000Z', 'n'), { title: 't' })).rejects.toBe(
      throttled,
    );
    expect(sent.filter((c) => c instanceof GetCommand)).toEqual([]);
  });

  it('reads the existing item consistently, and answers its own item if that one is gone again', async () => {
    const k = key('u-race', '2026-03-19T13:00:00.000Z', 'n');
    await store.putOnce(k, { title: 'first' });
    const { sent, store: s } = hooked(() => undefined);
    expect(await s.putOnce(k, { title: 'second' })).toEqual({ ...k, title: 'first' });
    expect((sent.find((c) => c instanceof GetCommand) as GetCommand).input.ConsistentRead).toBe(true);
    const lost = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
    const { store: gone } = hooked((c) =>
      c instanceof PutCommand
        ? Promise.reject(lost)
        : c instanceof GetCommand
          ? Promise.resolve({})
          : undefined,
    );
    expect(await gone.putOnce(k, { title: 'mine' })).toEqual({ ...k, title: 'mine' });
  });
});
