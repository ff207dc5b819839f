/**
 * The clients every production entry point shares (DynamoDB document client, Kafka publisher), built once
 * per process, and `lazy`, which defers building a function's dependencies to its first invocation.
 */
import { defaultDocumentClient } from '#shared/db/client';
import { defaultPublisher, type EventPublisher } from '#shared/kafka';

/**
 * The production dependencies every handler shares, created once per process on first use: the DynamoDB
 * document client and the Kafka publisher. Tests build their own and pass them to `makeHandler`.
 */
export function defaultClients(): {
  client: ReturnType<typeof defaultDocumentClient>;
  publisher: EventPublisher;
} {
  return { client: defaultDocumentClient(), publisher: defaultPublisher() };
}

/** A value built on first use and then reused (module-scope singletons that still read env lazily). */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
