import type { EventType } from '#shared/contracts';
import { decideEscrow, ESCROW_NEEDS_NOTHING, type EscrowState } from '#shared/domain/escrow/escrow';
import { TransitionError } from '#shared/errors';
import { ev, NOW } from '#test/support/domain-fixtures';

const authorized = ev('PAYMENT_AUTHORIZED', {
  orderId: 'ord-1',
  customerId: 'c',
  paymentId: 'p',
  amountCents: 900,
});
const completed = ev('ORDER_COMPLETED', {
  orderId: 'ord-1',
  customerId: 'c',
  runnerId: 'r',
  totalCents: 900,
});
const cancelled = ev('ORDER_CANCELLED', {
  orderId: 'ord-1',
  customerId: 'c',
  totalCents: 900,
  reason: 'TIMEOUT',
});
const held: EscrowState = {
  orderId: 'ord-1',
  status: 'HELD',
  holdId: 'hold_ord-1',
  paymentId: 'p',
  customerId: 'c',
  heldCents: 900,
  releasedCents: 0,
  refundedCents: 0,
};

describe('escrow domain', () => {
  it('holds the authorized amount', () => {
    expect(decideEscrow(undefined, authorized, NOW)).toMatchObject({
      state: { status: 'HELD', heldCents: 900 },
      emit: [{ type: 'FUNDS_HELD', payload: { holdId: 'hold_ord-1', amountCents: 900 } }],
    });
  });

  it('releases exactly the held amount to the runner, once', () => {
    const d = decideEscrow(held, completed, NOW);
    expect(d).toMatchObject({
      state: { status: 'RELEASED', releasedCents: 900, runnerId: 'r' },
      emit: [{ type: 'FUNDS_RELEASED', payload: { amountCents: 900 } }],
    });
    if (d.kind !== 'change') throw new Error();
    expect(decideEscrow(d.state, completed, NOW).kind).toBe('ignore');
    expect(() => decideEscrow(d.state, cancelled, NOW)).toThrow(TransitionError);
  });

  it('refunds on cancellation, once; a release after a refund is impossible', () => {
    const d = decideEscrow(held, cancelled, NOW);
    expect(d).toMatchObject({
      state: { status: 'REFUNDED', refundedCents: 900 },
      emit: [{ type: 'FUNDS_REFUNDED', payload: { reason: 'TIMEOUT' } }],
    });
    if (d.kind !== 'change') throw new Error();
    expect(decideEscrow(d.state, cancelled, NOW).kind).toBe('ignore');
    expect(() => decideEscrow(d.state, completed, NOW)).toThrow('hold ord-1 is REFUNDED; cannot release');
  });

  it('closes on a cancellation before the hold, and never holds afterwards', () => {
    const d = decideEscrow(undefined, cancelled, NOW);
    expect(d).toMatchObject({ state: { status: 'CLOSED', heldCents: 0 }, emit: [] });
    if (d.kind !== 'change') throw new Error();
    expect(decideEscrow(d.state, authorized, NOW)).toMatchObject({
      kind: 'ignore',
      reason: expect.stringContaining('cancelled before'),
    });
  });

  it('refuses to release a hold that does not exist', () => {
    expect(() => decideEscrow(undefined, completed, NOW)).toThrow(TransitionError);
  });

  it('ignores the types it needs nothing from whatever the hold, so the service skips reading it', () => {
    expect([...ESCROW_NEEDS_NOTHING].sort()).toEqual(
      ['ORDER_ACCEPTED', 'ORDER_CREATED', 'PAYMENT_CAPTURED', 'PAYMENT_FAILED', 'PAYMENT_VOIDED'].sort(),
    );
    const states: (EscrowState | undefined)[] = [
      undefined,
      held,
      { ...held, status: 'RELEASED', releasedCents: 900 },
      { ...held, status: 'REFUNDED', refundedCents: 900 },
    ];
    for (const type of ESCROW_NEEDS_NOTHING) {
      const event = ev(type as EventType, { orderId: 'ord-1' } as never);
      for (const state of states) expect(decideEscrow(state, event, NOW).kind).toBe('ignore');
    }
  });
});
