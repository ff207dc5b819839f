/**
 * The notifications table: one item per notification under its user (`USER#<id>`, newest first by sort key),
 * written once, and read back a page at a time with an opaque cursor. Keeps DynamoDB out of the
 * notification service.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '#shared/errors';
import type { ItemKey } from './entity-store';

/** A page of a user's notification items, newest first; `nextCursor` is null on the last page. */
export interface NotificationPage {
  readonly items: readonly Record<string, unknown>[];
  readonly nextCursor: string | null;
}

/** Where the notification service keeps notifications. */
export interface NotificationStore {
  /**
   * Writes `item` under `key` unless an item is there already; answers the item that is stored (the one
   * written now, or the earlier one a redelivery finds).
   */
  putOnce(key: ItemKey, item: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** `userId`'s notifications, newest first; `cursor` is a `nextCursor` of an earlier page for this user. */
  page(userId: string, options: { limit: number; cursor?: string }): Promise<NotificationPage>;
}

/** Notifications as items of the notifications table. */
export class DynamoNotificationStore implements NotificationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: () => string,
  ) {}

  async putOnce(key: ItemKey, item: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName(),
          Item: { ...item, ...key },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { ...item, ...key };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName(), Key: key, ConsistentRead: true }),
    );
    return out.Item ?? { ...item, ...key };
  }

  async page(userId: string, options: { limit: number; cursor?: string }): Promise<NotificationPage> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': 'NOTIFICATION#' },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, userId) : undefined,
      }),
    );
    return {
      items: out.Items ?? [],
      nextCursor: out.LastEvaluatedKey
        ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url')
        : null,
    };
  }
}

function decodeCursor(cursor: string, userId: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key.pk === `USER#${userId}` && typeof key.sk === 'string') return { pk: key.pk, sk: key.sk };
  } catch {
    // falls through to the validation error
  }
  throw new ValidationError('invalid cursor', [
    { path: 'cursor', message: 'is not a cursor returned by this API for this user' },
  ]);
}
