/**
 * One factory for the saga's Kafka consumer entry points (functions/{order,payment,escrow,timer,
 * notification}/consumer.ts): each entry point names its service, its service's event handler and its
 * production dependencies; the factory adds the logger and metrics, runs the batch through processBatch with
 * partial batch responses, and exports the Lambda `handler` and the `makeHandler` that tests call with their
 * own dependencies.
 */
import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import { powertoolsConsumerMetrics } from '#shared/consumer/metrics';
import {
  type ConsumerDeps,
  type KafkaBatchResponse,
  kafkaBatchResponse,
  processBatch,
} from '#shared/consumer/process-batch';
import type { AnyEvent } from '#shared/contracts';
import type { EventPublisher } from '#shared/kafka';
import { createLogger } from '#shared/logging';
import type { ServiceName } from '#shared/topology';
import { lazy } from './clients';

/** What a consumer's handler needs: its service's dependencies plus the batch loop's (but its name). */
export type ConsumerHandlerDeps<S> = S & Omit<ConsumerDeps, 'consumer'>;

export interface ConsumerEntryPoint<S> {
  /** A Lambda handler with the given dependencies (tests, the local runtime's in-process hosts). */
  readonly makeHandler: (deps: ConsumerHandlerDeps<S>) => (event: MSKEvent) => Promise<KafkaBatchResponse>;
  /** The Lambda handler with the production dependencies, built on the first invocation. */
  readonly handler: (event: MSKEvent) => Promise<KafkaBatchResponse>;
}

/**
 * The entry point of the `consumer` service: every valid event of a batch goes to `handle`; a transient
 * failure reports its record and the rest of its partition (ReportBatchItemFailures).
 */
export function consumerEntryPoint<S extends { readonly publisher: EventPublisher }>(
  consumer: ServiceName,
  handle: (deps: S, event: AnyEvent) => Promise<unknown>,
  productionDeps: () => S,
): ConsumerEntryPoint<S> {
  const logger = createLogger();
  const makeHandler =
    (deps: ConsumerHandlerDeps<S>) =>
    async (event: MSKEvent): Promise<KafkaBatchResponse> => {
      const summary = await processBatch(
        event,
        { ...deps, consumer, partialBatchResponse: true },
        async (e) => {
          await handle(deps, e);
        },
      );
      return kafkaBatchResponse(summary);
    };
  const defaultDeps = lazy(
    (): ConsumerHandlerDeps<S> => ({
      ...productionDeps(),
      logger,
      metrics: powertoolsConsumerMetrics(consumer),
    }),
  );
  return { makeHandler, handler: (event) => makeHandler(defaultDeps())(event) };
}
