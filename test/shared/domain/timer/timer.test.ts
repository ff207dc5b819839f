import { atExpression, deadlineAfter, scheduleNameFor } from '#shared/domain/timer/scheduler';
import {
  onFired,
  onFundsHeld,
  onOrderSettled,
  onScheduled,
  type TimerState,
} from '#shared/domain/timer/timer';
import { ev, NOW } from '#test/support/domain-fixtures';

const held = ev('FUNDS_HELD', {
  orderId: 'ord-1',
  customerId: 'c',
  holdId: 'h',
  paymentId: 'p',
  amountCents: 900,
});
const accepted = ev('ORDER_ACCEPTED', { orderId: 'ord-1', customerId: 'c', runnerId: 'r', totalCents: 900 });
const scheduled: TimerState = {
  orderId: 'ord-1',
  status: 'SCHEDULED',
  scheduleName: 'accept-ord-1',
  deadline: '2026-03-19T13:10:00.000Z',
  customerId: 'c',
};
const input = { orderId: 'ord-1', scheduleName: 'accept-ord-1', deadline: '2026-03-19T13:10:00.000Z' };

describe('timer domain', () => {
  it('derives valid schedule names and at() expressions', () => {
    expect(scheduleNameFor('ord_abc')).toBe('accept-ord_abc');
    const odd = scheduleNameFor('order/with spaces#and-a-very-long-suffix-that-goes-on-and-on-and-on');
    expect(odd).toMatch(/^accept-[0-9a-f]{40}$/);
    expect(atExpression(new Date('2026-03-19T13:10:00.000Z'))).toBe('at(2026-03-19T13:10:00)');
    expect(deadlineAfter(new Date('2026-03-19T13:00:00.200Z'), 60).toISOString()).toBe(
      '2026-03-19T13:01:01.000Z',
    );
  });

  it('FUNDS_HELD writes the intent, then scheduling emits TIMER_STARTED', () => {
    const d = onFundsHeld(undefined, held, new Date('2026-03-19T13:10:00.000Z'));
    expect(d).toMatchObject({ state: { status: 'SCHEDULING', scheduleName: 'accept-ord-1' }, emit: [] });
    if (d.kind !== 'change') throw new Error();
    expect(onScheduled(d.state, NOW)).toMatchObject({
      state: { status: 'SCHEDULED' },
      emit: [{ type: 'TIMER_STARTED', payload: { deadline: '2026-03-19T13:10:00.000Z' } }],
    });
  });

  it('acceptance cancels the timer; acceptance before the hold closes it so no timer ever starts', () => {
    expect(onOrderSettled(scheduled, accepted, NOW)).toMatchObject({
      state: { status: 'CANCELLED' },
      emit: [{ type: 'TIMER_CANCELLED', payload: { reason: 'ORDER_ACCEPTED' } }],
    });
    const closed = onOrderSettled(undefined, accepted, NOW);
    expect(closed).toMatchObject({ state: { status: 'CLOSED' }, emit: [] });
    if (closed.kind !== 'change') throw new Error();
    expect(onFundsHeld(closed.state, held, NOW).kind).toBe('ignore');
  });

  it('fires ORDER_TIMEOUT once; a firing after cancellation is ignored', () => {
    expect(onFired(scheduled, input, NOW)).toMatchObject({
      state: { status: 'FIRED' },
      emit: [{ type: 'ORDER_TIMEOUT', payload: { customerId: 'c' } }],
    });
    expect(onFired({ ...scheduled, status: 'CANCELLED' }, input, NOW).kind).toBe('ignore');
    expect(onFired({ ...scheduled, status: 'FIRED' }, input, NOW).kind).toBe('ignore');
    expect(onFired(scheduled, { ...input, scheduleName: 'other' }, NOW).kind).toBe('ignore');
  });
});
