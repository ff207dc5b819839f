/** Payment consumer: authorize on ORDER_CREATED, capture on FUNDS_RELEASED, void on FUNDS_REFUNDED or an early cancellation. */
import { EntityStore } from '#shared/db/entity-store';
import type { PaymentState } from '#shared/domain/payment/payment';
import { SimulatedPaymentProvider } from '#shared/domain/payment/provider';
import { intEnv, requiredEnv } from '#shared/env';
import { handlePaymentEvent, type PaymentServiceDeps } from '#shared/services/payment';
import { defaultClients } from '#shared/wiring/clients';
import { type ConsumerHandlerDeps, consumerEntryPoint } from '#shared/wiring/consumer';
import { DEFAULT_PAYMENT_LIMIT_CENTS } from '#shared/wiring/defaults';

export type PaymentConsumerDeps = ConsumerHandlerDeps<PaymentServiceDeps>;

export const { makeHandler, handler } = consumerEntryPoint(
  'payment',
  handlePaymentEvent,
  (): PaymentServiceDeps => {
    const { client, publisher } = defaultClients();
    return {
      publisher,
      payments: new EntityStore<PaymentState>(client, () => requiredEnv('PAYMENTS_TABLE'), 'PAYMENT'),
      provider: new SimulatedPaymentProvider(() =>
        intEnv('PAYMENT_LIMIT_CENTS', DEFAULT_PAYMENT_LIMIT_CENTS),
      ),
    };
  },
);
