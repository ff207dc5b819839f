import type { AnyEvent } from '#shared/contracts';
import { orderIdOf } from '#shared/contracts/routing';
import type { EntityStore } from '#shared/db/entity-store';
import { keys } from '#shared/db/keys';
import {
  clientTokenFor,
  deadlineAfter,
  type FireInput,
  type SchedulerPort,
} from '#shared/domain/timer/scheduler';
import {
  needsDelete,
  onFired,
  onFundsHeld,
  onOrderSettled,
  onScheduled,
  type TimerState,
} from '#shared/domain/timer/timer';
import { RejectedRecordError } from '#shared/errors';
import type { EventPublisher } from '#shared/kafka';
import { applyOnce } from './apply-once';

export interface TimerServiceDeps {
  readonly timers: EntityStore<TimerState>;
  readonly scheduler: SchedulerPort;
  readonly publisher: EventPublisher;
  /** Seconds a runner has to accept (ORDER_ACCEPT_TIMEOUT_SECONDS, default 600). */
  readonly acceptTimeoutSeconds: () => number;
  readonly now?: () => Date;
}

const common = (deps: TimerServiceDeps, orderId: string) => ({
  store: deps.timers,
  key: keys.timer(orderId),
  source: 'timer',
  publisher: deps.publisher,
  now: deps.now,
});

/**
 * FUNDS_HELD -> write SCHEDULING (name, deadline) -> CreateSchedule (idempotent) -> SCHEDULED + TIMER_STARTED.
 * A redelivery resumes where a crash stopped and re-publishes the same TIMER_STARTED.
 */
async function startTimer(deps: TimerServiceDeps, event: AnyEvent): Promise<void> {
  const orderId = orderIdOf(event);
  const now = () => deps.now?.() ?? new Date();
  const intent = await applyOnce<TimerState>({
    ...common(deps, orderId),
    cause: event.id,
    decide: (current) =>
      onFundsHeld(current?.state, event, deadlineAfter(now(), deps.acceptTimeoutSeconds())),
  });
  const state = intent.state;
  if (!state || state.status === 'CLOSED') return;
  let created = false;
  if (state.status === 'SCHEDULING') {
    const input: FireInput = { orderId, scheduleName: state.scheduleName, deadline: state.deadline! };
    await deps.scheduler.create({
      name: state.scheduleName,
      at: new Date(state.deadline!),
      input,
      clientToken: clientTokenFor(state.scheduleName, state.deadline!),
    });
    created = true;
  }
  const started = await applyOnce<TimerState>({
    ...common(deps, orderId),
    cause: 'scheduled',
    // the item the first step read or wrote; if it changed meanwhile, the conditional write reads it again
    assume: { current: intent.item },
    decide: (current) => onScheduled(current?.state, now()),
  });
  // Cancelled while we were creating the schedule: do not leave it behind.
  if (created && started.outcome === 'ignored' && started.state?.status === 'CANCELLED') {
    await deps.scheduler.delete(state.scheduleName);
  }
}

/** ORDER_ACCEPTED / ORDER_CANCELLED -> DeleteSchedule (missing is fine) -> CANCELLED + TIMER_CANCELLED. */
async function stopTimer(deps: TimerServiceDeps, event: AnyEvent): Promise<void> {
  const orderId = orderIdOf(event);
  const now = () => deps.now?.() ?? new Date();
  await applyOnce<TimerState>({
    ...common(deps, orderId),
    cause: event.id,
    decide: async (current) => {
      const state = current?.state;
      if (state && needsDelete(state, event)) await deps.scheduler.delete(state.scheduleName);
      return onOrderSettled(state, event, now());
    },
  });
}

/** Timer reactions to order and escrow events. */
export async function handleTimerEvent(deps: TimerServiceDeps, event: AnyEvent): Promise<void> {
  switch (event.type) {
    case 'FUNDS_HELD':
      return startTimer(deps, event);
    case 'ORDER_ACCEPTED':
    case 'ORDER_CANCELLED':
      return stopTimer(deps, event);
    case 'ORDER_CREATED':
    case 'ORDER_COMPLETED':
    case 'FUNDS_RELEASED':
    case 'FUNDS_REFUNDED':
      return;
    default:
      throw new RejectedRecordError(`the timer service does not consume ${event.type} (event ${event.id})`);
  }
}

/** The schedule fired: FIRED + ORDER_TIMEOUT, at most once; a firing after cancellation does nothing. */
export async function fireTimer(
  deps: TimerServiceDeps,
  input: FireInput,
): Promise<{ outcome: string; reason?: string }> {
  const result = await applyOnce<TimerState>({
    ...common(deps, input.orderId),
    cause: `fire:${input.scheduleName}`,
    decide: (current) => onFired(current?.state, input, deps.now?.() ?? new Date()),
  });
  return { outcome: result.outcome, reason: result.reason };
}
