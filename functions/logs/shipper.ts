import type { CloudWatchLogsEvent } from 'aws-lambda';
import { type AnyEvent, completeEvent } from '#shared/contracts';
import { decodeSubscription, logRecordsFrom } from '#shared/domain/logs/shipper';
import { defaultPublisher, type EventPublisher, type KafkaPublisher } from '#shared/kafka';
import { createLogger, type Logger } from '#shared/logging';
import { lazy } from '#shared/wiring/clients';

export interface LogShipperDeps {
  /** With `publishAll` (the Kafka publisher), a delivery's records go out in one produce request per chunk. */
  readonly publisher: EventPublisher & Partial<Pick<KafkaPublisher, 'publishAll'>>;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Records per produce request (`publishAll`), or publishes in flight at once (`publish`). */
  readonly concurrency?: number;
}

const logger = createLogger();

const defaultDeps = lazy((): LogShipperDeps => ({ publisher: defaultPublisher(), logger }));

/**
 * CloudWatch Logs subscription target: decodes the delivery (base64 + gzip), turns each line into a LOG_RECORD
 * (see shared/domain/logs/shipper.ts for which lines are kept) and publishes them to `system-logs`. A publish
 * failure throws, so the asynchronous invocation is retried; record ids are deterministic, so a retry's
 * duplicates are recognisable.
 */
export function makeHandler(deps: LogShipperDeps) {
  return async (event: CloudWatchLogsEvent): Promise<{ shipped: number; skipped: number }> => {
    const data = await decodeSubscription(event.awslogs.data);
    const own = process.env.AWS_LAMBDA_FUNCTION_NAME;
    if (own && data.logGroup === `/aws/lambda/${own}`) return { shipped: 0, skipped: data.logEvents.length };
    const records = logRecordsFrom(data, deps.now?.() ?? new Date());
    const { publisher } = deps;
    if (publisher.publishAll) {
      const width = deps.concurrency ?? 100;
      for (let i = 0; i < records.length; i += width) {
        await publisher.publishAll(
          'system-logs',
          records.slice(i, i + width).map((r) => ({
            event: completeEvent(r.event, 'log-shipper') as AnyEvent,
            opts: { key: r.key },
          })),
        );
      }
    } else {
      const width = deps.concurrency ?? 16;
      for (let i = 0; i < records.length; i += width) {
        await Promise.all(
          records.slice(i, i + width).map((r) => publisher.publish('system-logs', r.event, { key: r.key })),
        );
      }
    }
    const skipped =
      data.messageType === 'DATA_MESSAGE' ? data.logEvents.length - records.length : data.logEvents.length;
    deps.logger.debug('log delivery shipped', { logGroup: data.logGroup, shipped: records.length, skipped });
    return { shipped: records.length, skipped };
  };
}

export const handler = (event: CloudWatchLogsEvent) => makeHandler(defaultDeps())(event);
