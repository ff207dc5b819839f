import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import { powertoolsConsumerMetrics } from '../../shared/consumer/metrics';
import {
  type ConsumerDeps,
  type KafkaBatchResponse,
  kafkaBatchResponse,
  processBatch,
} from '../../shared/consumer/process-batch';
import { createLogger } from '../../shared/logging';
import { lazy } from '../../shared/runtime/defaults';
import { defaultOrderDeps } from '../../shared/runtime/order-deps';
import { handleOrderSagaEvent, type OrderServiceDeps } from '../../shared/services/order';

export type OrderConsumerDeps = OrderServiceDeps & Omit<ConsumerDeps, 'consumer'>;

const logger = createLogger();

const defaultDeps = lazy((): OrderConsumerDeps => {
  return {
    ...defaultOrderDeps(),
    logger,
    metrics: powertoolsConsumerMetrics('order'),
  };
});

/** Order state from saga outcomes: `payment-events`, `escrow-events`, `timer-events`. */
export function makeHandler(deps: OrderConsumerDeps) {
  return async (event: MSKEvent): Promise<KafkaBatchResponse> => {
    // a transient failure reports its record and the rest of its partition (ReportBatchItemFailures)
    const summary = await processBatch(
      event,
      { ...deps, consumer: 'order', partialBatchResponse: true },
      (e) => handleOrderSagaEvent(deps, e),
    );
    return kafkaBatchResponse(summary);
  };
}

export const handler = (event: MSKEvent): Promise<KafkaBatchResponse> => makeHandler(defaultDeps())(event);
