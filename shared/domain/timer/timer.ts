import type { AnyEvent } from '#shared/contracts';
import { orderIdOf } from '#shared/contracts/routing';
import { change, type Decision, ignore, orderEvent } from '#shared/domain/decision';
import { RejectedRecordError } from '#shared/errors';
import { TIMER_MACHINE, type TimerStatus } from './machine';
import { scheduleNameFor } from './scheduler';

export interface TimerState {
  readonly orderId: string;
  readonly status: TimerStatus;
  readonly scheduleName: string;
  readonly deadline?: string;
  readonly customerId?: string;
  readonly cancelReason?: 'ORDER_ACCEPTED' | 'ORDER_CANCELLED';
}

/** FUNDS_HELD: write the intent (name and deadline) before calling the Scheduler. */
export function onFundsHeld(
  state: TimerState | undefined,
  event: AnyEvent,
  deadline: Date,
): Decision<TimerState> {
  if (event.type !== 'FUNDS_HELD') throw new Error('onFundsHeld: not FUNDS_HELD');
  const orderId = event.payload.orderId;
  if (state) {
    return ignore(
      state.status === 'CLOSED'
        ? `order ${orderId} was accepted or cancelled before its funds were held; no timer`
        : `timer for order ${orderId} already ${state.status}`,
    );
  }
  TIMER_MACHINE.assert(orderId, undefined, 'SCHEDULING', 'schedule');
  return change<TimerState>({
    orderId,
    status: 'SCHEDULING',
    scheduleName: scheduleNameFor(orderId),
    deadline: deadline.toISOString(),
    customerId: event.payload.customerId,
  });
}

/** The Scheduler accepted the schedule: SCHEDULED, and TIMER_STARTED. */
export function onScheduled(state: TimerState | undefined, now: Date): Decision<TimerState> {
  if (state?.status !== 'SCHEDULING') return ignore(`timer is ${state?.status ?? 'absent'}, not SCHEDULING`);
  TIMER_MACHINE.assert(state.orderId, state.status, 'SCHEDULED', 'mark scheduled');
  const started = orderEvent(
    'TIMER_STARTED',
    state.orderId,
    {
      orderId: state.orderId,
      customerId: state.customerId,
      scheduleName: state.scheduleName,
      deadline: state.deadline!,
    },
    now,
  );
  return change({ ...state, status: 'SCHEDULED' }, [started]);
}

/** Whether handling `event` must delete the schedule first. */
export function needsDelete(state: TimerState | undefined, event: AnyEvent): boolean {
  return (
    (event.type === 'ORDER_ACCEPTED' || event.type === 'ORDER_CANCELLED') &&
    (state?.status === 'SCHEDULING' || state?.status === 'SCHEDULED')
  );
}

/** ORDER_ACCEPTED / ORDER_CANCELLED: stop the timer (TIMER_CANCELLED), or remember that none must start. */
export function onOrderSettled(
  state: TimerState | undefined,
  event: AnyEvent,
  now: Date,
): Decision<TimerState> {
  if (event.type !== 'ORDER_ACCEPTED' && event.type !== 'ORDER_CANCELLED') {
    throw new RejectedRecordError(`the timer service does not act on ${event.type} (event ${event.id})`);
  }
  const orderId = orderIdOf(event);
  const reason = event.type;
  if (!state) {
    TIMER_MACHINE.assert(orderId, undefined, 'CLOSED', 'close');
    return change<TimerState>({
      orderId,
      status: 'CLOSED',
      scheduleName: scheduleNameFor(orderId),
      customerId: event.payload.customerId,
      cancelReason: reason,
    });
  }
  if (state.status !== 'SCHEDULING' && state.status !== 'SCHEDULED')
    return ignore(`timer already ${state.status}`);
  TIMER_MACHINE.assert(orderId, state.status, 'CANCELLED', 'cancel');
  const cancelled = orderEvent(
    'TIMER_CANCELLED',
    orderId,
    { orderId, customerId: state.customerId, scheduleName: state.scheduleName, reason },
    now,
  );
  return change({ ...state, status: 'CANCELLED', cancelReason: reason }, [cancelled]);
}

/** The schedule fired: ORDER_TIMEOUT, unless the timer was cancelled meanwhile (a late firing changes nothing). */
export function onFired(
  state: TimerState | undefined,
  input: { orderId: string; scheduleName: string; deadline: string },
  now: Date,
): Decision<TimerState> {
  if (!state) return ignore(`no timer for order ${input.orderId}; firing ignored`);
  if (state.scheduleName !== input.scheduleName) {
    return ignore(
      `schedule ${input.scheduleName} is not the timer of order ${input.orderId} (${state.scheduleName})`,
    );
  }
  if (state.status !== 'SCHEDULING' && state.status !== 'SCHEDULED') {
    return ignore(`timer for order ${input.orderId} is ${state.status}; late firing ignored`);
  }
  TIMER_MACHINE.assert(state.orderId, state.status, 'FIRED', 'fire');
  const timeout = orderEvent(
    'ORDER_TIMEOUT',
    state.orderId,
    {
      orderId: state.orderId,
      customerId: state.customerId,
      scheduleName: state.scheduleName,
      deadline: state.deadline ?? input.deadline,
    },
    now,
  );
  return change({ ...state, status: 'FIRED' }, [timeout]);
}
