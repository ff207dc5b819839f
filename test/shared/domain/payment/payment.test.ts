import type { EventType } from '#shared/contracts';
import {
  decidePayment,
  PAYMENT_NEEDS_NOTHING,
  type PaymentState,
  providerCallFor,
} from '#shared/domain/payment/payment';
import { SimulatedPaymentProvider } from '#shared/domain/payment/provider';
import { TransitionError } from '#shared/errors';
import { ev, NOW } from '#test/support/domain-fixtures';

const created = ev('ORDER_CREATED', {
  orderId: 'ord-1',
  customerId: 'c',
  items: [{ name: 'Tea', quantity: 1, unitPriceCents: 900 }],
  totalCents: 900,
  deliveryLocation: 'L2',
  paymentMethod: 'tok_visa',
});
const authorized: PaymentState = {
  orderId: 'ord-1',
  status: 'AUTHORIZED',
  customerId: 'c',
  paymentId: 'p',
  amountCents: 900,
  authorizedCents: 900,
  capturedCents: 0,
  voidedCents: 0,
  holdSeen: false,
};
const released = ev('FUNDS_RELEASED', {
  orderId: 'ord-1',
  holdId: 'h',
  paymentId: 'p',
  runnerId: 'r',
  amountCents: 900,
});
const refunded = ev('FUNDS_REFUNDED', {
  orderId: 'ord-1',
  holdId: 'h',
  paymentId: 'p',
  customerId: 'c',
  amountCents: 900,
  reason: 'TIMEOUT',
});
const cancelled = ev('ORDER_CANCELLED', {
  orderId: 'ord-1',
  customerId: 'c',
  totalCents: 900,
  reason: 'CUSTOMER',
});
const held = ev('FUNDS_HELD', {
  orderId: 'ord-1',
  customerId: 'c',
  holdId: 'h',
  paymentId: 'p',
  amountCents: 900,
});

describe('payment domain', () => {
  it('authorizes or fails ORDER_CREATED from the provider answer', () => {
    expect(providerCallFor(undefined, created)).toBe('authorize');
    expect(decidePayment(undefined, created, NOW, { approved: true, paymentId: 'p' })).toMatchObject({
      state: { status: 'AUTHORIZED', authorizedCents: 900 },
      emit: [{ type: 'PAYMENT_AUTHORIZED', payload: { paymentId: 'p', amountCents: 900 } }],
    });
    expect(
      decidePayment(undefined, created, NOW, { approved: false, code: 'CARD_DECLINED', reason: 'x' }),
    ).toMatchObject({
      state: { status: 'FAILED', authorizedCents: 0 },
      emit: [{ type: 'PAYMENT_FAILED', payload: { code: 'CARD_DECLINED' } }],
    });
  });

  it('captures the authorized amount on FUNDS_RELEASED and voids it on FUNDS_REFUNDED', () => {
    expect(decidePayment(authorized, released, NOW)).toMatchObject({
      state: { status: 'CAPTURED', capturedCents: 900 },
      emit: [{ type: 'PAYMENT_CAPTURED' }],
    });
    expect(decidePayment(authorized, refunded, NOW)).toMatchObject({
      state: { status: 'VOIDED', voidedCents: 900 },
      emit: [{ type: 'PAYMENT_VOIDED' }],
    });
  });

  it('voids on a cancellation before any hold, and waits for the refund when a hold was seen', () => {
    expect(providerCallFor(authorized, cancelled)).toBe('void');
    expect(decidePayment(authorized, cancelled, NOW)).toMatchObject({ state: { status: 'VOIDED' } });
    const withHold = decidePayment(authorized, held, NOW);
    expect(withHold).toMatchObject({ state: { holdSeen: true } });
    if (withHold.kind !== 'change') throw new Error();
    expect(decidePayment(withHold.state, cancelled, NOW).kind).toBe('ignore');
    expect(providerCallFor(withHold.state, cancelled)).toBeUndefined();
  });

  it('voids at most once and refuses a capture after a void', () => {
    const voided = { ...authorized, status: 'VOIDED' as const, voidedCents: 900 };
    expect(decidePayment(voided, refunded, NOW).kind).toBe('ignore');
    expect(() => decidePayment(voided, released, NOW)).toThrow(TransitionError);
    expect(() =>
      decidePayment(
        authorized,
        ev('FUNDS_RELEASED', {
          orderId: 'ord-1',
          holdId: 'h',
          paymentId: 'p',
          runnerId: 'r',
          amountCents: 901,
        }),
        NOW,
      ),
    ).toThrow(/901/);
  });

  it('simulator: tok_decline and amounts over the limit are declined, the rest authorized with a stable id', async () => {
    const sim = new SimulatedPaymentProvider(() => 1000);
    const req = {
      orderId: 'o',
      customerId: 'c',
      amountCents: 1000,
      paymentMethod: 'tok_visa',
      idempotencyKey: 'k',
    };
    const a = await sim.authorize(req);
    expect(a).toEqual(await sim.authorize(req));
    expect(a.approved).toBe(true);
    expect(await sim.authorize({ ...req, paymentMethod: 'tok_decline' })).toMatchObject({
      approved: false,
      code: 'CARD_DECLINED',
    });
    expect(await sim.authorize({ ...req, amountCents: 1001 })).toMatchObject({
      approved: false,
      code: 'AMOUNT_OVER_LIMIT',
    });
  });

  it('ignores the types it needs nothing from whatever the payment, so the service skips reading it', () => {
    expect([...PAYMENT_NEEDS_NOTHING].sort()).toEqual(['ORDER_ACCEPTED', 'ORDER_COMPLETED']);
    const states: (PaymentState | undefined)[] = [
      undefined,
      authorized,
      { ...authorized, holdSeen: true },
      { ...authorized, status: 'CAPTURED', capturedCents: authorized.authorizedCents },
      { ...authorized, status: 'VOIDED', voidedCents: authorized.authorizedCents },
    ];
    for (const type of PAYMENT_NEEDS_NOTHING) {
      const event = ev(type as EventType, { orderId: 'ord-1' } as never);
      for (const state of states) expect(decidePayment(state, event, NOW).kind).toBe('ignore');
    }
  });
});
