import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import { powertoolsConsumerMetrics } from '../../shared/consumer/metrics';
import {
  type ConsumerDeps,
  type KafkaBatchResponse,
  kafkaBatchResponse,
  processBatch,
} from '../../shared/consumer/process-batch';
import { EntityStore } from '../../shared/db/entity-store';
import type { PaymentState } from '../../shared/domain/payment/payment';
import { DEFAULT_PAYMENT_LIMIT_CENTS, SimulatedPaymentProvider } from '../../shared/domain/payment/provider';
import { createLogger } from '../../shared/logging';
import { defaultClients, lazy } from '../../shared/runtime/defaults';
import { intEnv, requiredEnv } from '../../shared/runtime/env';
import { handlePaymentEvent, type PaymentServiceDeps } from '../../shared/services/payment';

export type PaymentConsumerDeps = PaymentServiceDeps & Omit<ConsumerDeps, 'consumer'>;

const logger = createLogger();

const defaultDeps = lazy((): PaymentConsumerDeps => {
  const { client, publisher } = defaultClients();
  return {
    publisher,
    payments: new EntityStore<PaymentState>(client, () => requiredEnv('PAYMENTS_TABLE'), 'PAYMENT'),
    provider: new SimulatedPaymentProvider(() => intEnv('PAYMENT_LIMIT_CENTS', DEFAULT_PAYMENT_LIMIT_CENTS)),
    logger,
    metrics: powertoolsConsumerMetrics('payment'),
  };
});

/** Authorize on ORDER_CREATED, capture on FUNDS_RELEASED, void on FUNDS_REFUNDED or an early cancellation. */
export function makeHandler(deps: PaymentConsumerDeps) {
  return async (event: MSKEvent): Promise<KafkaBatchResponse> => {
    // a transient failure reports its record and the rest of its partition (ReportBatchItemFailures)
    const summary = await processBatch(
      event,
      { ...deps, consumer: 'payment', partialBatchResponse: true },
      (e) => handlePaymentEvent(deps, e),
    );
    return kafkaBatchResponse(summary);
  };
}

export const handler = (event: MSKEvent): Promise<KafkaBatchResponse> => makeHandler(defaultDeps())(event);
