import type { AnyEvent } from '#shared/contracts';
import { orderIdOf } from '#shared/contracts/routing';
import type { EntityStore } from '#shared/db/entity-store';
import { keys } from '#shared/db/keys';
import {
  decidePayment,
  PAYMENT_NEEDS_NOTHING,
  type PaymentState,
  providerCallFor,
} from '#shared/domain/payment/payment';
import type { PaymentProvider } from '#shared/domain/payment/provider';
import type { EventPublisher } from '#shared/kafka';
import type { Logger } from '#shared/logging';
import { applyOnce } from './apply-once';

export interface PaymentServiceDeps {
  readonly payments: EntityStore<PaymentState>;
  readonly provider: PaymentProvider;
  readonly publisher: EventPublisher;
  readonly now?: () => Date;
  /** Where each money decision is logged at INFO (authorized, declined, captured, voided); none when absent. */
  readonly logger?: Logger;
}

/**
 * Applies an order or escrow event to the order's payment at most once. The provider is called before the
 * write with an idempotency key derived from the order, so a retry after a crash repeats the call harmlessly;
 * the pure decision gets the provider's answer as input.
 */
export async function handlePaymentEvent(deps: PaymentServiceDeps, event: AnyEvent): Promise<void> {
  if (PAYMENT_NEEDS_NOTHING.has(event.type)) return; // ignored whatever the payment: no read
  const orderId = orderIdOf(event);
  const now = deps.now?.() ?? new Date();
  const result = await applyOnce<PaymentState>({
    store: deps.payments,
    key: keys.payment(orderId),
    cause: event.id,
    source: 'payment',
    publisher: deps.publisher,
    now: deps.now,
    decide: async (current) => {
      const state = current?.state;
      const call = providerCallFor(state, event);
      if (call === 'authorize' && event.type === 'ORDER_CREATED') {
        const authorization = await deps.provider.authorize({
          orderId,
          customerId: event.payload.customerId,
          amountCents: event.payload.totalCents,
          paymentMethod: event.payload.paymentMethod,
          idempotencyKey: `authorize:${orderId}`,
        });
        return decidePayment(state, event, now, authorization);
      }
      const decision = decidePayment(state, event, now);
      if (decision.kind === 'change' && state?.paymentId) {
        if (call === 'capture' && decision.state.status === 'CAPTURED') {
          await deps.provider.capture({
            paymentId: state.paymentId,
            amountCents: decision.state.capturedCents,
            idempotencyKey: `capture:${orderId}`,
          });
        } else if (call === 'void' && decision.state.status === 'VOIDED') {
          await deps.provider.void({
            paymentId: state.paymentId,
            amountCents: decision.state.voidedCents,
            idempotencyKey: `void:${orderId}`,
          });
        }
      }
      return decision;
    },
  });
  if (result.outcome === 'applied' && result.state) logDecision(deps.logger, result.state, event.type);
}

/** One INFO line per money decision, naming the order, so `campusg logs payment` tells the story. */
function logDecision(logger: Logger | undefined, state: PaymentState, cause: string): void {
  if (!logger) return;
  const { orderId, paymentId } = state;
  switch (state.status) {
    case 'AUTHORIZED':
      if (cause === 'ORDER_CREATED')
        logger.info(`payment authorized for order ${orderId}`, {
          orderId,
          paymentId,
          amountCents: state.authorizedCents,
        });
      return;
    case 'FAILED':
      logger.info(`payment declined for order ${orderId}: ${state.failure?.code}`, {
        orderId,
        code: state.failure?.code,
        reason: state.failure?.reason,
        amountCents: state.amountCents,
      });
      return;
    case 'CAPTURED':
      logger.info(`payment captured for order ${orderId}`, {
        orderId,
        paymentId,
        amountCents: state.capturedCents,
      });
      return;
    case 'VOIDED':
      logger.info(`payment voided for order ${orderId}`, {
        orderId,
        paymentId,
        amountCents: state.voidedCents,
      });
      return;
    case 'CANCELLED':
      logger.info(`payment cancelled for order ${orderId} before any authorization (${cause})`, { orderId });
      return;
  }
}
