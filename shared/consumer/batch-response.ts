/**
 * The Kafka partial batch response, shared by the consumers that answer it (process-batch.ts) and the CDK
 * app that turns it on (infra/constructs/kafka-consumer-function.ts). Kept free of imports so infra can use
 * it without loading the consumer's dependencies.
 */

/** Set on every consumer function: `true` when its event-source mappings honour batchItemFailures. */
export const REPORT_BATCH_ITEM_FAILURES_ENV = 'ESM_REPORT_BATCH_ITEM_FAILURES';

/** One record Lambda should deliver again, named as the Kafka partial batch response names it. */
export interface KafkaBatchItemFailure {
  readonly itemIdentifier: { readonly partition: string; readonly offset: number };
}

/** What a consumer answers Lambda: the records to retry (none: the whole batch is done). */
export interface KafkaBatchResponse {
  readonly batchItemFailures: KafkaBatchItemFailure[];
}
