import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import { powertoolsConsumerMetrics } from '../../shared/consumer/metrics';
import {
  type ConsumerDeps,
  type KafkaBatchResponse,
  kafkaBatchResponse,
  processBatch,
} from '../../shared/consumer/process-batch';
import { EntityStore } from '../../shared/db/entity-store';
import type { EscrowState } from '../../shared/domain/escrow/escrow';
import { createLogger } from '../../shared/logging';
import { defaultClients, lazy } from '../../shared/runtime/defaults';
import { requiredEnv } from '../../shared/runtime/env';
import { type EscrowServiceDeps, handleEscrowEvent } from '../../shared/services/escrow';

export type EscrowConsumerDeps = EscrowServiceDeps & Omit<ConsumerDeps, 'consumer'>;

const logger = createLogger();

const defaultDeps = lazy((): EscrowConsumerDeps => {
  const { client, publisher } = defaultClients();
  return {
    publisher,
    holds: new EntityStore<EscrowState>(client, () => requiredEnv('ESCROW_TABLE'), 'HOLD'),
    logger,
    metrics: powertoolsConsumerMetrics('escrow'),
  };
});

/** Hold on PAYMENT_AUTHORIZED, release on ORDER_COMPLETED, refund on ORDER_CANCELLED. */
export function makeHandler(deps: EscrowConsumerDeps) {
  return async (event: MSKEvent): Promise<KafkaBatchResponse> => {
    // a transient failure reports its record and the rest of its partition (ReportBatchItemFailures)
    const summary = await processBatch(
      event,
      { ...deps, consumer: 'escrow', partialBatchResponse: true },
      (e) => handleEscrowEvent(deps, e),
    );
    return kafkaBatchResponse(summary);
  };
}

export const handler = (event: MSKEvent): Promise<KafkaBatchResponse> => makeHandler(defaultDeps())(event);
