/** Errors of the shared Kafka client. `retriable` tells a batch consumer whether to fail the batch (retry) or not. */
export class KafkaClientError extends Error {
  override name = 'KafkaClientError';
  readonly retriable: boolean = true;
}

/** The configuration cannot work (no brokers, bad auth mode); retrying will not help. */
export class KafkaConfigError extends KafkaClientError {
  override name = 'KafkaConfigError';
  override readonly retriable = false;
}

/** A publish did not reach the broker with acks from all in-sync replicas; safe to retry (ids are deterministic). */
export class PublishError extends KafkaClientError {
  override name = 'PublishError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
