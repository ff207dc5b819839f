import type { AnyEvent } from '#shared/contracts';
import { orderIdOf } from '#shared/contracts/routing';
import { change, type Decision, ignore, orderEvent } from '#shared/domain/decision';
import { RejectedRecordError, TransitionError } from '#shared/errors';
import { PAYMENT_MACHINE, type PaymentStatus } from './machine';
import type { AuthorizationResult } from './provider';

export interface PaymentState {
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly customerId?: string;
  readonly paymentId?: string;
  /** What the order asked for. */
  readonly amountCents: number;
  readonly authorizedCents: number;
  readonly capturedCents: number;
  readonly voidedCents: number;
  /** Escrow reported a hold (FUNDS_HELD): a cancellation then waits for the refund before voiding. */
  readonly holdSeen: boolean;
  readonly failure?: { readonly code: string; readonly reason: string };
}

/** The provider call a decision needs before it can be written. */
export type ProviderCall = 'authorize' | 'capture' | 'void' | undefined;

/** Which provider call handling `event` needs in `state` (so the pure decision gets its result as input). */
export function providerCallFor(state: PaymentState | undefined, event: AnyEvent): ProviderCall {
  if (!state) return event.type === 'ORDER_CREATED' ? 'authorize' : undefined;
  if (state.status !== 'AUTHORIZED') return undefined;
  if (event.type === 'FUNDS_RELEASED') return 'capture';
  if (event.type === 'FUNDS_REFUNDED') return 'void';
  if (event.type === 'ORDER_CANCELLED' && !state.holdSeen) return 'void';
  return undefined;
}

function to(state: PaymentState, next: PaymentStatus, action: string): void {
  PAYMENT_MACHINE.assert(state.orderId, state.status, next, action);
}

/** Consumed event types payment never acts on, whatever the payment: the service does not even read it. */
export const PAYMENT_NEEDS_NOTHING: ReadonlySet<string> = new Set(['ORDER_ACCEPTED', 'ORDER_COMPLETED']);

/**
 * The payment's reaction to an order or escrow event. `authorization` is the provider's answer when
 * `providerCallFor` asked for one. Money: authorized = captured + voided once the saga ends.
 */
export function decidePayment(
  state: PaymentState | undefined,
  event: AnyEvent,
  now: Date,
  authorization?: AuthorizationResult,
): Decision<PaymentState> {
  const orderId = orderIdOf(event);
  if (!state) {
    if (event.type === 'ORDER_CREATED') {
      const { customerId, totalCents } = event.payload;
      if (!authorization) throw new Error('decidePayment: ORDER_CREATED needs the provider authorization');
      const base = {
        orderId,
        customerId,
        amountCents: totalCents,
        capturedCents: 0,
        voidedCents: 0,
        holdSeen: false,
      };
      if (authorization.approved) {
        PAYMENT_MACHINE.assert(orderId, undefined, 'AUTHORIZED', 'authorize');
        return change<PaymentState>(
          { ...base, status: 'AUTHORIZED', paymentId: authorization.paymentId, authorizedCents: totalCents },
          [
            orderEvent(
              'PAYMENT_AUTHORIZED',
              orderId,
              { orderId, customerId, paymentId: authorization.paymentId, amountCents: totalCents },
              now,
            ),
          ],
        );
      }
      PAYMENT_MACHINE.assert(orderId, undefined, 'FAILED', 'decline');
      return change<PaymentState>(
        {
          ...base,
          status: 'FAILED',
          authorizedCents: 0,
          failure: { code: authorization.code, reason: authorization.reason },
        },
        [
          orderEvent(
            'PAYMENT_FAILED',
            orderId,
            {
              orderId,
              customerId,
              amountCents: totalCents,
              code: authorization.code,
              reason: authorization.reason,
            },
            now,
          ),
        ],
      );
    }
    if (event.type === 'ORDER_CANCELLED') {
      // Cancelled before its creation was seen (not expected: both are on one partition): never authorize it.
      return change<PaymentState>({
        orderId,
        status: 'CANCELLED',
        customerId: event.payload.customerId,
        amountCents: event.payload.totalCents,
        authorizedCents: 0,
        capturedCents: 0,
        voidedCents: 0,
        holdSeen: false,
      });
    }
    if (event.type === 'FUNDS_RELEASED' || event.type === 'FUNDS_REFUNDED') {
      throw new TransitionError(
        'payment',
        orderId,
        'absent',
        event.type === 'FUNDS_RELEASED' ? 'capture' : 'void',
        ['AUTHORIZED'],
      );
    }
    return ignore(`no payment for order ${orderId}; ${event.type} needs none`);
  }

  switch (event.type) {
    case 'ORDER_CREATED':
      return ignore(`payment for order ${orderId} already ${state.status}`);
    case 'FUNDS_HELD':
      if (state.status !== 'AUTHORIZED' || state.holdSeen)
        return ignore(`hold noted or payment ${state.status}`);
      to(state, 'AUTHORIZED', 'note the hold');
      return change({ ...state, holdSeen: true });
    case 'FUNDS_RELEASED': {
      if (state.status === 'CAPTURED') return ignore('already captured');
      to(state, 'CAPTURED', 'capture');
      if (event.payload.amountCents !== state.authorizedCents) {
        throw new TransitionError(
          'payment',
          orderId,
          state.status,
          `capture ${event.payload.amountCents} cents of an authorization of ${state.authorizedCents}`,
          [],
        );
      }
      const paymentId = state.paymentId!;
      return change<PaymentState>({ ...state, status: 'CAPTURED', capturedCents: state.authorizedCents }, [
        orderEvent(
          'PAYMENT_CAPTURED',
          orderId,
          {
            orderId,
            customerId: state.customerId,
            paymentId,
            amountCents: state.authorizedCents,
            runnerId: event.payload.runnerId,
          },
          now,
        ),
      ]);
    }
    case 'FUNDS_REFUNDED':
    case 'ORDER_CANCELLED': {
      if (state.status === 'VOIDED' || state.status === 'FAILED' || state.status === 'CANCELLED') {
        return ignore(`payment already ${state.status}`);
      }
      if (event.type === 'ORDER_CANCELLED' && state.holdSeen && state.status === 'AUTHORIZED') {
        return ignore('a hold exists: the void follows its refund (FUNDS_REFUNDED)');
      }
      to(state, 'VOIDED', 'void');
      const reason =
        event.type === 'FUNDS_REFUNDED'
          ? `refunded: ${event.payload.reason}`
          : `order cancelled: ${event.payload.reason}`;
      return change<PaymentState>({ ...state, status: 'VOIDED', voidedCents: state.authorizedCents }, [
        orderEvent(
          'PAYMENT_VOIDED',
          orderId,
          {
            orderId,
            customerId: state.customerId,
            paymentId: state.paymentId!,
            amountCents: state.authorizedCents,
            reason,
          },
          now,
        ),
      ]);
    }
    default:
      if (PAYMENT_NEEDS_NOTHING.has(event.type)) return ignore(`${event.type} needs nothing from payment`);
      throw new RejectedRecordError(`the payment service does not consume ${event.type} (event ${event.id})`);
  }
}
