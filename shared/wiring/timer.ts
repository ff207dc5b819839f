/**
 * Production dependencies of both timer entry points (consumer and fire handler): the timers table, the
 * EventBridge Scheduler adapter and the acceptance timeout from the environment.
 */
import { EntityStore } from '#shared/db/entity-store';
import type { TimerState } from '#shared/domain/timer/timer';
import { intEnv, requiredEnv } from '#shared/env';
import { EventBridgeScheduler } from '#shared/scheduler/eventbridge';
import type { TimerServiceDeps } from '#shared/services/timer';
import { DEFAULT_ACCEPT_TIMEOUT_SECONDS } from '#shared/wiring/defaults';
import { defaultClients } from './clients';

/** Production dependencies of both timer entry points (consumer and fire handler). */
export function defaultTimerDeps(): TimerServiceDeps {
  const { client, publisher } = defaultClients();
  return {
    publisher,
    timers: new EntityStore<TimerState>(client, () => requiredEnv('TIMERS_TABLE'), 'TIMER'),
    scheduler: new EventBridgeScheduler(),
    acceptTimeoutSeconds: () => intEnv('ORDER_ACCEPT_TIMEOUT_SECONDS', DEFAULT_ACCEPT_TIMEOUT_SECONDS),
  };
}
