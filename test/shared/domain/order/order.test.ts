import {
  acceptOrder,
  cancelByCustomer,
  completeOrder,
  createOrder,
  type OrderState,
  onSagaEvent,
} from '#shared/domain/order/order';
import { TransitionError } from '#shared/errors';
import { ev, NOW } from '#test/support/domain-fixtures';

const created = (): OrderState => {
  const d = createOrder(
    {
      orderId: 'ord-1',
      customerId: 'c',
      items: [{ name: 'Tea', quantity: 3, unitPriceCents: 250 }],
      deliveryLocation: 'L2',
      paymentMethod: 'tok_visa',
    },
    NOW,
  );
  if (d.kind !== 'change') throw new Error('expected a change');
  return d.state;
};
const withStatus = (status: OrderState['status'], extra: Partial<OrderState> = {}): OrderState => ({
  ...created(),
  status,
  ...extra,
});
const apply = (state: OrderState, event: Parameters<typeof onSagaEvent>[1]) => {
  const d = onSagaEvent(state, event, NOW);
  if (d.kind !== 'change') throw new Error('expected a change');
  return d;
};

const authorized = ev('PAYMENT_AUTHORIZED', {
  orderId: 'ord-1',
  customerId: 'c',
  paymentId: 'p',
  amountCents: 750,
});
const heldEv = ev('FUNDS_HELD', {
  orderId: 'ord-1',
  customerId: 'c',
  holdId: 'h',
  paymentId: 'p',
  amountCents: 750,
});
const started = ev('TIMER_STARTED', {
  orderId: 'ord-1',
  scheduleName: 's',
  deadline: '2026-03-19T13:10:00.000Z',
});
const timeout = ev('ORDER_TIMEOUT', {
  orderId: 'ord-1',
  scheduleName: 's',
  deadline: '2026-03-19T13:10:00.000Z',
});

describe('order domain', () => {
  it('creates an order in CREATED with the total in cents and ORDER_CREATED', () => {
    const d = createOrder(
      {
        orderId: 'ord-1',
        customerId: 'c',
        items: [{ name: 'Tea', quantity: 3, unitPriceCents: 250 }],
        deliveryLocation: 'L2',
        paymentMethod: 'tok',
      },
      NOW,
    );
    expect(d).toMatchObject({
      kind: 'change',
      state: { status: 'CREATED', totalCents: 750 },
      emit: [{ type: 'ORDER_CREATED', payload: { totalCents: 750 } }],
    });
  });

  it('moves along the chain on PAYMENT_AUTHORIZED, FUNDS_HELD, TIMER_STARTED', () => {
    let s = apply(created(), authorized).state;
    expect(s).toMatchObject({ status: 'PAYMENT_AUTHORIZED', paymentId: 'p' });
    s = apply(s, heldEv).state;
    expect(s).toMatchObject({ status: 'FUNDS_HELD', holdId: 'h' });
    s = apply(s, started).state;
    expect(s).toMatchObject({ status: 'AWAITING_RUNNER', deadline: '2026-03-19T13:10:00.000Z' });
  });

  it('catches up when TIMER_STARTED arrives before FUNDS_HELD, and records the late FUNDS_HELD', () => {
    const s = apply(withStatus('PAYMENT_AUTHORIZED'), started).state;
    expect(s.status).toBe('AWAITING_RUNNER');
    expect(s.history.at(-1)?.note).toBe('caught up via FUNDS_HELD');
    const late = apply(s, heldEv);
    expect(late.state.status).toBe('AWAITING_RUNNER');
    expect(late.emit).toEqual([]);
    expect(late.state.history.at(-1)).toMatchObject({ type: 'FUNDS_HELD', effect: 'recorded' });
  });

  it('cancels on PAYMENT_FAILED with reason PAYMENT_FAILED', () => {
    const d = apply(
      created(),
      ev('PAYMENT_FAILED', { orderId: 'ord-1', customerId: 'c', amountCents: 750, code: 'X', reason: 'no' }),
    );
    expect(d.state).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_FAILED' });
    expect(d.emit).toMatchObject([
      { type: 'ORDER_CANCELLED', payload: { reason: 'PAYMENT_FAILED', totalCents: 750 } },
    ]);
  });

  it('cancels on ORDER_TIMEOUT while awaiting a runner, and ignores a timeout after acceptance', () => {
    expect(apply(withStatus('AWAITING_RUNNER'), timeout).state).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'TIMEOUT',
    });
    const late = apply(withStatus('ACCEPTED', { runnerId: 'r' }), timeout);
    expect(late.state.status).toBe('ACCEPTED');
    expect(late.emit).toEqual([]);
  });

  it('accepts only from AWAITING_RUNNER, completes only by the accepting runner, cancels only before acceptance', () => {
    expect(acceptOrder(withStatus('AWAITING_RUNNER'), 'r', NOW)).toMatchObject({
      state: { status: 'ACCEPTED', runnerId: 'r' },
      emit: [{ type: 'ORDER_ACCEPTED' }],
    });
    expect(() => acceptOrder(withStatus('FUNDS_HELD'), 'r', NOW)).toThrow(TransitionError);
    expect(() => acceptOrder(withStatus('AWAITING_RUNNER'), 'c', NOW)).toThrow(/cannot also run it/);
    expect(completeOrder(withStatus('ACCEPTED', { runnerId: 'r' }), 'r', NOW)).toMatchObject({
      state: { status: 'COMPLETED' },
    });
    expect(() => completeOrder(withStatus('ACCEPTED', { runnerId: 'r' }), 'other', NOW)).toThrow(
      /another runner/,
    );
    expect(cancelByCustomer(withStatus('FUNDS_HELD'), 'c', NOW)).toMatchObject({
      state: { status: 'CANCELLED', cancelReason: 'CUSTOMER' },
    });
    expect(() => cancelByCustomer(withStatus('ACCEPTED'), 'c', NOW)).toThrow(
      'order ord-1 is ACCEPTED; cannot cancel',
    );
  });

  it('rejects saga events for an unknown order', () => {
    expect(() => onSagaEvent(undefined, authorized, NOW)).toThrow(/does not exist/);
  });
});
