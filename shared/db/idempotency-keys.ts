/**
 * The Idempotency-Key records of the order API, in the orders table: the first request with a key claims an
 * order id with a conditional put; a retry with the same key and body gets the same order id back; the same
 * key with a different body is a conflict. Keeps DynamoDB out of the order service.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '#shared/errors';
import { keys } from './keys';

/** What a claim answers: the order id the key stands for, and whether an earlier request claimed it. */
export interface IdempotencyClaim {
  readonly orderId: string;
  readonly replay: boolean;
}

/** Where the order service remembers Idempotency-Keys. */
export interface IdempotencyKeyStore {
  /**
   * Claims `idempotencyKey` of `customerId` for `orderId`, or returns the order id an earlier request with
   * the same key and `requestHash` claimed. Throws ConflictError for the same key with another body.
   */
  claim(req: {
    readonly customerId: string;
    readonly idempotencyKey: string;
    readonly requestHash: string;
    readonly orderId: string;
    readonly now: Date;
  }): Promise<IdempotencyClaim>;
}

/** Idempotency-Keys as items of the orders table (`keys.idempotency`), expiring after `ttlSeconds`. */
export class DynamoIdempotencyKeys implements IdempotencyKeyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: () => string,
    /** How long a key is remembered, seconds: 24 hours. */
    private readonly ttlSeconds = 24 * 3600,
  ) {}

  async claim(req: {
    readonly customerId: string;
    readonly idempotencyKey: string;
    readonly requestHash: string;
    readonly orderId: string;
    readonly now: Date;
  }): Promise<IdempotencyClaim> {
    const { customerId, idempotencyKey, requestHash, orderId, now } = req;
    const key = keys.idempotency(customerId, idempotencyKey);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName(),
          Item: {
            ...key,
            entity: 'IDEMPOTENCY_KEY',
            orderId,
            customerId,
            requestHash,
            createdAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + this.ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { orderId, replay: false };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName(), Key: key, ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item)
      throw new ConflictError(
        `Idempotency-Key ${idempotencyKey} is being used by a concurrent request; retry`,
      );
    if (item.requestHash !== requestHash) {
      throw new ConflictError(
        `Idempotency-Key ${idempotencyKey} was already used with a different request body`,
        [{ field: 'Idempotency-Key', orderId: item.orderId }],
      );
    }
    return { orderId: item.orderId as string, replay: true };
  }
}
