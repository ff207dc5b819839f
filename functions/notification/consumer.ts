/** Notification consumer: every saga event becomes notifications for its customer and/or runner, and NOTIFICATION_SENT events. */
import { DynamoNotificationStore } from '#shared/db/notification-store';
import { requiredEnv } from '#shared/env';
import { handleNotificationEvent, type NotificationServiceDeps } from '#shared/services/notification';
import { defaultClients } from '#shared/wiring/clients';
import { type ConsumerHandlerDeps, consumerEntryPoint } from '#shared/wiring/consumer';

export type NotificationConsumerDeps = ConsumerHandlerDeps<NotificationServiceDeps>;

export const { makeHandler, handler } = consumerEntryPoint(
  'notification',
  handleNotificationEvent,
  (): NotificationServiceDeps => {
    const { client, publisher } = defaultClients();
    return {
      publisher,
      notifications: new DynamoNotificationStore(client, () => requiredEnv('NOTIFICATIONS_TABLE')),
    };
  },
);
