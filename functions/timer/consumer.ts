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
import { defaultTimerDeps } from '../../shared/runtime/timer-deps';
import { handleTimerEvent, type TimerServiceDeps } from '../../shared/services/timer';

export type TimerConsumerDeps = TimerServiceDeps & Omit<ConsumerDeps, 'consumer'>;

const logger = createLogger();

const defaultDeps = lazy(
  (): TimerConsumerDeps => ({ ...defaultTimerDeps(), logger, metrics: powertoolsConsumerMetrics('timer') }),
);

/** Creates the acceptance-deadline schedule on FUNDS_HELD; deletes it on ORDER_ACCEPTED / ORDER_CANCELLED. */
export function makeHandler(deps: TimerConsumerDeps) {
  return async (event: MSKEvent): Promise<KafkaBatchResponse> => {
    // a transient failure reports its record and the rest of its partition (ReportBatchItemFailures)
    const summary = await processBatch(
      event,
      { ...deps, consumer: 'timer', partialBatchResponse: true },
      (e) => handleTimerEvent(deps, e),
    );
    return kafkaBatchResponse(summary);
  };
}

export const handler = (event: MSKEvent): Promise<KafkaBatchResponse> => makeHandler(defaultDeps())(event);
