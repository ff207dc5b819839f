import * as z from 'zod';
import { ValidationError } from '#shared/errors';
import { createLogger, forOrder, type Logger, resetOrder } from '#shared/logging';
import { fireTimer, type TimerServiceDeps } from '#shared/services/timer';
import { lazy } from '#shared/wiring/clients';
import { defaultTimerDeps } from '#shared/wiring/timer';

/** The schedule's target input (docs/conventions.md). */
export const FireInputSchema = z.object({
  orderId: z.string().min(1).max(200),
  scheduleName: z.string().min(1).max(64),
  deadline: z.iso.datetime({ offset: true }),
});

export type TimerFireDeps = TimerServiceDeps & { readonly logger: Logger };

const logger = createLogger();

const defaultDeps = lazy((): TimerFireDeps => ({ ...defaultTimerDeps(), logger }));

/**
 * The EventBridge Scheduler target: emits ORDER_TIMEOUT for the order, once. A malformed input is logged and
 * dropped with an error (a retry cannot fix it); a transient failure throws so the Scheduler retries.
 */
export function makeHandler(deps: TimerFireDeps) {
  return async (event: unknown): Promise<{ outcome: string; reason?: string }> => {
    const parsed = FireInputSchema.safeParse(event);
    if (!parsed.success) {
      const error = new ValidationError(
        `timer fire input is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      );
      deps.logger.error('invalid schedule input; nothing to fire', {
        error,
        input: event as Record<string, unknown>,
      });
      return { outcome: 'rejected', reason: error.message };
    }
    forOrder(deps.logger, parsed.data.orderId);
    try {
      const result = await fireTimer(deps, parsed.data);
      deps.logger.info('acceptance deadline fired', { ...result, scheduleName: parsed.data.scheduleName });
      return result;
    } finally {
      resetOrder(deps.logger);
    }
  };
}

export const handler = (event: unknown) => makeHandler(defaultDeps())(event);
