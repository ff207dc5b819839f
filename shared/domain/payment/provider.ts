import { createHash } from 'node:crypto';

export type AuthorizationResult =
  | { readonly approved: true; readonly paymentId: string }
  | { readonly approved: false; readonly code: string; readonly reason: string };

/**
 * The payment provider port. Every call carries an idempotency key, so a retried call (after a crash or a
 * failed batch) has no second effect at the provider. Errors thrown are treated as transient.
 */
export interface PaymentProvider {
  authorize(req: {
    orderId: string;
    customerId: string;
    amountCents: number;
    paymentMethod: string;
    idempotencyKey: string;
  }): Promise<AuthorizationResult>;
  capture(req: { paymentId: string; amountCents: number; idempotencyKey: string }): Promise<void>;
  void(req: { paymentId: string; amountCents: number; idempotencyKey: string }): Promise<void>;
}

/** Test token the simulator always declines. */
export const DECLINE_TOKEN = 'tok_decline';
export const DEFAULT_PAYMENT_LIMIT_CENTS = 50_000;

/**
 * A deterministic simulated provider. Rules (docs/api.md):
 * - `paymentMethod: "tok_decline"` is declined with code CARD_DECLINED;
 * - an amount above the limit (PAYMENT_LIMIT_CENTS, default 50000 = 500.00) is declined with AMOUNT_OVER_LIMIT;
 * - everything else is authorized; the payment id is derived from the order id, so a retry gets the same one;
 * - capture and void always succeed.
 * It keeps a ledger of what it did (per idempotency key, so retries count once) for tests and the local runtime.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly ledger = new Map<
    string,
    { op: 'authorize' | 'capture' | 'void'; paymentId: string; amountCents: number }
  >();

  constructor(private readonly limitCents: () => number = () => DEFAULT_PAYMENT_LIMIT_CENTS) {}

  async authorize(req: Parameters<PaymentProvider['authorize']>[0]): Promise<AuthorizationResult> {
    if (req.paymentMethod === DECLINE_TOKEN) {
      return {
        approved: false,
        code: 'CARD_DECLINED',
        reason: `the card ${DECLINE_TOKEN} is always declined`,
      };
    }
    const limit = this.limitCents();
    if (req.amountCents > limit) {
      return {
        approved: false,
        code: 'AMOUNT_OVER_LIMIT',
        reason: `amount ${req.amountCents} cents is over the limit of ${limit} cents`,
      };
    }
    const paymentId = `pay_${createHash('sha256').update(req.orderId).digest('hex').slice(0, 24)}`;
    this.ledger.set(req.idempotencyKey, { op: 'authorize', paymentId, amountCents: req.amountCents });
    return { approved: true, paymentId };
  }

  async capture(req: Parameters<PaymentProvider['capture']>[0]): Promise<void> {
    this.ledger.set(req.idempotencyKey, {
      op: 'capture',
      paymentId: req.paymentId,
      amountCents: req.amountCents,
    });
  }

  async void(req: Parameters<PaymentProvider['void']>[0]): Promise<void> {
    this.ledger.set(req.idempotencyKey, {
      op: 'void',
      paymentId: req.paymentId,
      amountCents: req.amountCents,
    });
  }
}
