import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import { powertoolsConsumerMetrics } from '../../shared/consumer/metrics';
import { type ConsumerDeps, processBatch } from '../../shared/consumer/process-batch';
import { createLogger } from '../../shared/logging';
import { defaultClients, lazy } from '../../shared/runtime/defaults';
import { requiredEnv } from '../../shared/runtime/env';
import { handleNotificationEvent, type NotificationServiceDeps } from '../../shared/services/notification';

export type NotificationConsumerDeps = NotificationServiceDeps & Omit<ConsumerDeps, 'consumer'>;

const logger = createLogger();

const defaultDeps = lazy((): NotificationConsumerDeps => {
  const { client, publisher } = defaultClients();
  return {
    client,
    publisher,
    tableName: () => requiredEnv('NOTIFICATIONS_TABLE'),
    logger,
    metrics: powertoolsConsumerMetrics('notification'),
  };
});

/** Every saga event becomes notifications for its customer and/or runner, and NOTIFICATION_SENT events. */
export function makeHandler(deps: NotificationConsumerDeps) {
  return async (event: MSKEvent) => {
    await processBatch(event, { ...deps, consumer: 'notification' }, async (e) => {
      await handleNotificationEvent(deps, e);
    });
  };
}

export const handler = (event: MSKEvent): Promise<void> => makeHandler(defaultDeps())(event);
