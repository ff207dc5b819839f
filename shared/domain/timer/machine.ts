import { StateMachine } from '#shared/domain/state-machine';

export type TimerStatus = 'SCHEDULING' | 'SCHEDULED' | 'CANCELLED' | 'FIRED' | 'CLOSED';

/**
 * One acceptance deadline per order. SCHEDULING is written before the Scheduler call (so a retry reuses the
 * same deadline and name), SCHEDULED after it. Acceptance or cancellation deletes the schedule; the
 * schedule's firing moves it to FIRED. CLOSED remembers an order accepted or cancelled before its funds were
 * held, so a late FUNDS_HELD never starts a timer.
 */
export const TIMER_MACHINE = new StateMachine<TimerStatus>('timer', [
  { from: '[*]', to: 'SCHEDULING', on: 'FUNDS_HELD' },
  { from: '[*]', to: 'CLOSED', on: 'ORDER_ACCEPTED / ORDER_CANCELLED (before FUNDS_HELD)' },
  { from: 'SCHEDULING', to: 'SCHEDULED', on: 'CreateSchedule done' },
  { from: 'SCHEDULING', to: 'CANCELLED', on: 'ORDER_ACCEPTED / ORDER_CANCELLED' },
  { from: 'SCHEDULED', to: 'CANCELLED', on: 'ORDER_ACCEPTED / ORDER_CANCELLED' },
  { from: 'SCHEDULING', to: 'FIRED', on: 'schedule fired' },
  { from: 'SCHEDULED', to: 'FIRED', on: 'schedule fired' },
]);
