/**
 * The Idempotency-Key adapter on dynalite: the first claim of a key wins and is written with its TTL, a
 * retry with the same body gets the first order id back, another body is a CONFLICT naming that order.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
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
});
