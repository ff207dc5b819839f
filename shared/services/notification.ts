import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AnyEvent } from '../contracts';
import { keys } from '../db/keys';
import { notificationSent, notificationsFor } from '../domain/notification/notification';
import { ValidationError } from '../errors';
import { completeEvent, type EventPublisher } from '../kafka';

export interface NotificationServiceDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: () => string;
  readonly publisher: EventPublisher;
  readonly now?: () => Date;
  /** Days a notification is kept (TTL `expiresAt`); 90 by default. */
  readonly retentionDays?: number;
}

/**
 * Turns a saga event into notifications, stores each under its user and publishes NOTIFICATION_SENT.
 * The item is written once (conditional put on its key); a redelivery finds it and re-publishes the stored
 * event, identical to the first.
 */
export async function handleNotificationEvent(
  deps: NotificationServiceDeps,
  event: AnyEvent,
): Promise<number> {
  const now = deps.now?.() ?? new Date();
  const drafts = notificationsFor(event);
  const at = new Date(event.timestamp).toISOString();
  for (const n of drafts) {
    const sent = completeEvent(notificationSent(event, n, now), 'notification', () => now);
    const key = keys.notification(n.userId, at, sent.id);
    let stored = sent;
    try {
      await deps.client.send(
        new PutCommand({
          TableName: deps.tableName(),
          Item: {
            ...key,
            entity: 'NOTIFICATION',
            ...sent.payload,
            createdAt: at,
            event: sent,
            expiresAt: Math.floor(now.getTime() / 1000) + (deps.retentionDays ?? 90) * 86400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const out = await deps.client.send(
        new GetCommand({ TableName: deps.tableName(), Key: key, ConsistentRead: true }),
      );
      stored = (out.Item?.event as typeof sent | undefined) ?? sent;
    }
    await deps.publisher.publish('notification-events', stored, { key: stored.payload.orderId });
  }
  return drafts.length;
}

export interface NotificationView {
  readonly notificationId: string;
  readonly orderId: string;
  readonly role: string;
  readonly title: string;
  readonly message: string;
  readonly sourceEventType: string;
  readonly createdAt: string;
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

/** A user's notifications, newest first, a page at a time. */
export async function listNotifications(
  deps: Pick<NotificationServiceDeps, 'client' | 'tableName'>,
  userId: string,
  options: { limit: number; cursor?: string },
): Promise<{ notifications: NotificationView[]; nextCursor: string | null }> {
  const out = await deps.client.send(
    new QueryCommand({
      TableName: deps.tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': 'NOTIFICATION#' },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: options.cursor ? decodeCursor(options.cursor, userId) : undefined,
    }),
  );
  return {
    notifications: (out.Items ?? []).map((i) => ({
      notificationId: i.notificationId,
      orderId: i.orderId,
      role: i.role,
      title: i.title,
      message: i.message,
      sourceEventType: i.sourceEventType,
      createdAt: i.createdAt,
    })),
    nextCursor: out.LastEvaluatedKey
      ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url')
      : null,
  };
}
