import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import { powertoolsConsumerMetrics } from '../../shared/consumer/metrics';
import { type ConsumerDeps, processBatch } from '../../shared/consumer/process-batch';
import { EntityStore } from '../../shared/db/entity-store';
import type { OrderState } from '../../shared/domain/order/order';
import { createLogger } from '../../shared/logging';
import { defaultClients, lazy } from '../../shared/runtime/defaults';
import { requiredEnv } from '../../shared/runtime/env';
import { handleOrderSagaEvent, type OrderServiceDeps } from '../../shared/services/order';

export type OrderConsumerDeps = OrderServiceDeps & Omit<ConsumerDeps, 'consumer'>;

const logger = createLogger();

const defaultDeps = lazy((): OrderConsumerDeps => {
  const { client, publisher } = defaultClients();
  const tableName = () => requiredEnv('ORDERS_TABLE');
  return {
    client,
    publisher,
    tableName,
    orders: new EntityStore<OrderState>(client, tableName, 'ORDER'),
    logger,
    metrics: powertoolsConsumerMetrics('order'),
  };
});

/** Order state from saga outcomes: `payment-events`, `escrow-events`, `timer-events`. */
export function makeHandler(deps: OrderConsumerDeps) {
  return async (event: MSKEvent) => {
    await processBatch(event, { ...deps, consumer: 'order' }, (e) => handleOrderSagaEvent(deps, e));
  };
}

export const handler = (event: MSKEvent): Promise<void> => makeHandler(defaultDeps())(event);
