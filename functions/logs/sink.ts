import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { powertoolsConsumerMetrics } from '#shared/consumer/metrics';
import { type ConsumerDeps, processBatch } from '#shared/consumer/process-batch';
import { putAll } from '#shared/db/put-all';
import { logItemsOf } from '#shared/domain/logs/sink';
import { requiredEnv } from '#shared/env';
import { RejectedRecordError } from '#shared/errors';
import { createLogger } from '#shared/logging';
import { defaultClients, lazy } from '#shared/wiring/clients';

export type LogSinkDeps = Omit<ConsumerDeps, 'consumer'> & {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: () => string;
};

const logger = createLogger();

const defaultDeps = lazy((): LogSinkDeps => {
  const { client, publisher } = defaultClients();
  return {
    client,
    publisher,
    tableName: () => requiredEnv('LOGS_TABLE'),
    logger,
    metrics: powertoolsConsumerMetrics('log-sink'),
  };
});

/**
 * Consumes `system-logs` into the logs table (item layout in shared/domain/logs/sink.ts). The items of the
 * whole batch are written together with BatchWriteItem (25 per call) after every record was checked; a
 * failed write fails the invocation and the batch comes again (rewriting an item changes nothing).
 */
export function makeHandler(deps: LogSinkDeps) {
  return async (event: MSKEvent) => {
    const items: Record<string, unknown>[] = [];
    await processBatch(event, { ...deps, consumer: 'log-sink' }, async (e) => {
      if (e.type !== 'LOG_RECORD')
        throw new RejectedRecordError(`the log sink only stores LOG_RECORD, not ${e.type} (event ${e.id})`);
      items.push(...logItemsOf(e));
    });
    await putAll(deps.client, deps.tableName(), items);
  };
}

export const handler = (event: MSKEvent): Promise<void> => makeHandler(defaultDeps())(event);
