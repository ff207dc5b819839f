import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one way services log: Powertools' JSON logger, service name from CAMPUSG_SERVICE /
 * POWERTOOLS_SERVICE_NAME, sampling and level from the Powertools environment. Create it once at module scope.
 */
export function createLogger(serviceName?: string, persistentKeys: Record<string, unknown> = {}): Logger {
  return new Logger({
    serviceName:
      serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? process.env.CAMPUSG_SERVICE ?? 'campusg',
    persistentKeys: { system: 'campusg', ...persistentKeys },
  });
}

/**
 * Tags every following log line of this invocation with the order: as `orderId` and as Powertools'
 * correlation id, which the log shipper and `campusg logs` use to follow one saga.
 */
export function forOrder(logger: Logger, orderId: string | undefined): Logger {
  if (orderId) {
    logger.appendKeys({ orderId });
    logger.setCorrelationId(orderId);
  }
  return logger;
}

/** Clears per-invocation keys at the end of an invocation (module-scope loggers outlive it). */
export function resetOrder(logger: Logger): void {
  logger.removeKeys(['orderId', 'correlation_id']);
}

export type { Logger };
