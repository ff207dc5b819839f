/** Timer consumer: creates the acceptance-deadline schedule on FUNDS_HELD; deletes it on ORDER_ACCEPTED / ORDER_CANCELLED. */
import { handleTimerEvent, type TimerServiceDeps } from '#shared/services/timer';
import { type ConsumerHandlerDeps, consumerEntryPoint } from '#shared/wiring/consumer';
import { defaultTimerDeps } from '#shared/wiring/timer';

export type TimerConsumerDeps = ConsumerHandlerDeps<TimerServiceDeps>;

export const { makeHandler, handler } = consumerEntryPoint('timer', handleTimerEvent, defaultTimerDeps);
