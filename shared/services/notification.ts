/**
 * The notification service: turns saga events into notifications for customers and runners, stores each
 * once and publishes NOTIFICATION_SENT; answers a user's notifications a page at a time.
 */
import { type AnyEvent, completeEvent } from '#shared/contracts';
import { keys } from '#shared/db/keys';
import type { NotificationStore } from '#shared/db/notification-store';
import { notificationSent, notificationsFor } from '#shared/domain/notification/notification';
import type { EventPublisher } from '#shared/kafka';

export interface NotificationServiceDeps {
  /** Where notifications are kept (shared/db/notification-store.ts in production). */
  readonly notifications: NotificationStore;
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
    const item = await deps.notifications.putOnce(key, {
      entity: 'NOTIFICATION',
      ...sent.payload,
      createdAt: at,
      event: sent,
      expiresAt: Math.floor(now.getTime() / 1000) + (deps.retentionDays ?? 90) * 86400,
    });
    const stored = (item.event as typeof sent | undefined) ?? sent;
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

/** A user's notifications, newest first, a page at a time. */
export async function listNotifications(
  deps: Pick<NotificationServiceDeps, 'notifications'>,
  userId: string,
  options: { limit: number; cursor?: string },
): Promise<{ notifications: NotificationView[]; nextCursor: string | null }> {
  const page = await deps.notifications.page(userId, options);
  return {
    notifications: page.items.map((item) => {
      const i = item as unknown as NotificationView;
      return {
        notificationId: i.notificationId,
        orderId: i.orderId,
        role: i.role,
        title: i.title,
        message: i.message,
        sourceEventType: i.sourceEventType,
        createdAt: i.createdAt,
      };
    }),
    nextCursor: page.nextCursor,
  };
}
