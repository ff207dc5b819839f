/**
 * The Idempotency-Key adapter on dynalite: the first claim of a key wins and is written with its TTL, a
 * retry with the same body gets the first order id back, another body is a CONFLICT naming that order.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoIdempotencyKeys } from '#shared/db/idempotency-keys';
import { keys } from '#shared/db/keys';
import { ConflictError } from '#shared/errors';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';

const NOW = new Date('2026-03-19T13:00:00.000Z');

describe('DynamoIdempotencyKeys', () => {
  let dynamo: Dynamo;
  let store: DynamoIdempotencyKeys;
  beforeAll(async () => {
    dynamo = await startDynamo();
    store = new DynamoIdempotencyKeys(dynamo.client, () => TABLES.ORDERS_TABLE, 600);
  });
  afterAll(() => dynamo.close());

  const claim = (key: string, requestHash: string, orderId: string) =>
    store.claim({ customerId: 'cust-1', idempotencyKey: key, requestHash, orderId, now: NOW });

  it('writes the first claim with its order id, request hash and expiry', async () => {
    expect(await claim('k-1', 'hash-a', 'ord_first')).toEqual({ orderId: 'ord_first', replay: false });
    const out = await dynamo.client.send(
      new GetCommand({ TableName: TABLES.ORDERS_TABLE, Key: keys.idempotency('cust-1', 'k-1') }),
    );
    expect(out.Item).toMatchObject({
      entity: 'IDEMPOTENCY_KEY',
      orderId: 'ord_first',
      customerId: 'cust-1',
      requestHash: 'hash-a',
      createdAt: NOW.toISOString(),
      expiresAt: Math.floor(NOW.getTime() / 1000) + 600,
    });
  });

  it('answers a retry with the same body with the first order id, as a replay', async () => {
    await claim('k-2', 'hash-b', 'ord_one');
    expect(await claim('k-2', 'hash-b', 'ord_two')).toEqual({ orderId: 'ord_one', replay: true });
  });

  it('refuses the same key with another body, naming the order it stands for', async () => {
    await claim('k-3', 'hash-c', 'ord_three');
    const error = await claim('k-3', 'hash-other', 'ord_four').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toBe(
      'Idempotency-Key k-3 was already used with a different request body',
    );
    expect((error as ConflictError).details).toEqual([{ field: 'Idempotency-Key', orderId: 'ord_three' }]);
  });

  it('keeps keys apart per customer', async () => {
    await claim('k-4', 'hash-d', 'ord_c1');
    const other = await store.claim({
      customerId: 'cust-2',
      idempotencyKey: 'k-4',
      requestHash: 'hash-e',
      orderId: 'ord_c2',
      now: NOW,
    });
    expect(other).toEqual({ orderId: 'ord_c2', replay: false });
  });

  /**
   * The dynalite client behind a hook that can answer a command itself (a failure dynalite cannot produce
   * on demand), recording every command sent.
   */
  function hooked(hook: (command: object) => Promise<unknown> | undefined) {
    const sent: object[] = [];
    const client = {
      send: (command: object) => {
        sent.push(command);
        return hook(command) ?? dynamo.client.send(command as GetCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    return { sent, store: new DynamoIdempotencyKeys(client, () => TABLES.ORDERS_TABLE, 600) };
  }
  const claimWith = (s: DynamoIdempotencyKeys, key: string) =>
    s.claim({ customerId: 'cust-1', idempotencyKey: key, requestHash: 'h', orderId: 'ord_x', now: NOW });

  it('passes on a write failure other than a lost race, without reading the key', async () => {
    const throttled = new Error('ProvisionedThroughputExceededException');
    const { sent, store: s } = hooked((c) =>
      c instanceof PutCommand ? Promise.reject(throttled) : undefined,
    );
    await expect(claimWith(s, 'k-5')).rejects.toBe(throttled);
    expect(sent.filter((c) => c instanceof GetCommand)).toEqual([]);
  });

  it('reads the winning claim with a consistent read after losing the race', async () => {
    await claim('k-6', 'h', 'ord_winner');
    const { sent, store: s } = hooked(() => undefined);
    expect(await claimWith(s, 'k-6')).toEqual({ orderId: 'ord_winner', replay: true });
    const get = sent.find((c) => c instanceof GetCommand) as GetCommand;
    expect(get.input).toMatchObject({ Key: keys.idempotency('cust-1', 'k-6'), ConsistentRead: true });
  });

  it('answers a conflict to retry when the winning claim is gone by the time it is read', async () => {
    const lost = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
    const { store: s } = hooked((c) =>
      c instanceof PutCommand
        ? Promise.reject(lost)
        : c instanceof GetCommand
          ? Promise.resolve({})
          : undefined,
    );
    const error = await claimWith(s, 'k-7').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toMatch(/concurrent request/);
  });
});
