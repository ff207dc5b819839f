import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import { powertoolsConsumerMetrics } from '../../shared/consumer/metrics';
import {
  type ConsumerDeps,
  type KafkaBatchResponse,
  kafkaBatchResponse,
  processBatch,
} from '../../shared/consumer/process-batch';
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
  return async (event: MSKEvent): Promise<KafkaBatchResponse> => {
    // a transient failure reports its record and the rest of its partition (ReportBatchItemFailures)
    const summary = await processBatch(
      event,
      { ...deps, consumer: 'notification', partialBatchResponse: true },
      async (e) => {
        await handleNotificationEvent(deps, e);
      },
    );
    return kafkaBatchResponse(summary);
  };
}

export const handler = (event: MSKEvent): Promise<KafkaBatchResponse> => makeHandler(defaultDeps())(event);
