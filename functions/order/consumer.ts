/** Order consumer: order state from saga outcomes on `payment-events`, `escrow-events`, `timer-events`. */

import { handleOrderSagaEvent, type OrderServiceDeps } from '#shared/services/order';
import { type ConsumerHandlerDeps, consumerEntryPoint } from '#shared/wiring/consumer';
import { defaultOrderDeps } from '#shared/wiring/order';

export type OrderConsumerDeps = ConsumerHandlerDeps<OrderServiceDeps>;

export const { makeHandler, handler } = consumerEntryPoint('order', handleOrderSagaEvent, defaultOrderDeps);
