import type { AnyEvent } from '#shared/contracts';
import { orderIdOf } from '#shared/contracts/routing';
import { change, type Decision, ignore, orderEvent } from '#shared/domain/decision';
import { RejectedRecordError } from '#shared/errors';
import { ESCROW_MACHINE, type EscrowStatus } from './machine';

export interface EscrowState {
  readonly orderId: string;
  readonly status: EscrowStatus;
  readonly holdId: string;
  readonly paymentId?: string;
  readonly customerId?: string;
  readonly runnerId?: string;
  readonly heldCents: number;
  readonly releasedCents: number;
  readonly refundedCents: number;
  readonly closedReason?: string;
}

export const holdIdOf = (orderId: string) => `hold_${orderId}`;

/** Consumed event types escrow never acts on, whatever the hold: the service does not even read the hold. */
export const ESCROW_NEEDS_NOTHING: ReadonlySet<string> = new Set([
  'ORDER_CREATED',
  'ORDER_ACCEPTED',
  'PAYMENT_FAILED',
  'PAYMENT_CAPTURED',
  'PAYMENT_VOIDED',
]);

/**
 * Escrow's reaction to an order or payment event. Release and refund move exactly the held amount, once:
 * held = released + refunded when the saga ends, and nothing is ever released that was not held.
 */
export function decideEscrow(
  state: EscrowState | undefined,
  event: AnyEvent,
  now: Date,
): Decision<EscrowState> {
  const orderId = orderIdOf(event);
  switch (event.type) {
    case 'PAYMENT_AUTHORIZED': {
      if (state) {
        return ignore(
          state.status === 'CLOSED'
            ? `order ${orderId} was cancelled before the authorization; no hold (payment voids on the cancellation)`
            : `hold for order ${orderId} already ${state.status}`,
        );
      }
      ESCROW_MACHINE.assert(orderId, undefined, 'HELD', 'hold');
      const { customerId, paymentId, amountCents } = event.payload;
      const holdId = holdIdOf(orderId);
      return change<EscrowState>(
        {
          orderId,
          status: 'HELD',
          holdId,
          paymentId,
          customerId,
          heldCents: amountCents,
          releasedCents: 0,
          refundedCents: 0,
        },
        [orderEvent('FUNDS_HELD', orderId, { orderId, customerId, holdId, paymentId, amountCents }, now)],
      );
    }
    case 'ORDER_COMPLETED': {
      if (state?.status === 'RELEASED') return ignore('already released');
      ESCROW_MACHINE.assert(orderId, state?.status, 'RELEASED', 'release');
      const held = state!;
      const { runnerId } = event.payload;
      return change<EscrowState>({ ...held, status: 'RELEASED', runnerId, releasedCents: held.heldCents }, [
        orderEvent(
          'FUNDS_RELEASED',
          orderId,
          {
            orderId,
            customerId: held.customerId,
            holdId: held.holdId,
            paymentId: held.paymentId!,
            runnerId,
            amountCents: held.heldCents,
          },
          now,
        ),
      ]);
    }
    case 'ORDER_CANCELLED': {
      if (!state) {
        ESCROW_MACHINE.assert(orderId, undefined, 'CLOSED', 'close');
        return change<EscrowState>({
          orderId,
          status: 'CLOSED',
          holdId: holdIdOf(orderId),
          customerId: event.payload.customerId,
          heldCents: 0,
          releasedCents: 0,
          refundedCents: 0,
          closedReason: event.payload.reason,
        });
      }
      if (state.status === 'REFUNDED' || state.status === 'CLOSED')
        return ignore(`hold already ${state.status}`);
      ESCROW_MACHINE.assert(orderId, state.status, 'REFUNDED', 'refund');
      const customerId = state.customerId ?? event.payload.customerId;
      return change<EscrowState>({ ...state, status: 'REFUNDED', refundedCents: state.heldCents }, [
        orderEvent(
          'FUNDS_REFUNDED',
          orderId,
          {
            orderId,
            holdId: state.holdId,
            paymentId: state.paymentId!,
            customerId,
            amountCents: state.heldCents,
            reason: event.payload.reason,
          },
          now,
        ),
      ]);
    }
    default:
      if (ESCROW_NEEDS_NOTHING.has(event.type)) return ignore(`${event.type} needs nothing from escrow`);
      throw new RejectedRecordError(`the escrow service does not consume ${event.type} (event ${event.id})`);
  }
}
