import { EventBridgeScheduler } from '../adapters/eventbridge-scheduler';
import { EntityStore } from '../db/entity-store';
import { DEFAULT_ACCEPT_TIMEOUT_SECONDS } from '../defaults';
import type { TimerState } from '../domain/timer/timer';
import type { TimerServiceDeps } from '../services/timer';
import { defaultClients } from './defaults';
import { intEnv, requiredEnv } from './env';

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
