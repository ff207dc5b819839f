/** Escrow consumer: hold on PAYMENT_AUTHORIZED, release on ORDER_COMPLETED, refund on ORDER_CANCELLED. */
import { EntityStore } from '#shared/db/entity-store';
import type { EscrowState } from '#shared/domain/escrow/escrow';
import { requiredEnv } from '#shared/env';
import { type EscrowServiceDeps, handleEscrowEvent } from '#shared/services/escrow';
import { defaultClients } from '#shared/wiring/clients';
import { type ConsumerHandlerDeps, consumerEntryPoint } from '#shared/wiring/consumer';

export type EscrowConsumerDeps = ConsumerHandlerDeps<EscrowServiceDeps>;

export const { makeHandler, handler } = consumerEntryPoint(
  'escrow',
  handleEscrowEvent,
  (): EscrowServiceDeps => {
    const { client, publisher } = defaultClients();
    return {
      publisher,
      holds: new EntityStore<EscrowState>(client, () => requiredEnv('ESCROW_TABLE'), 'HOLD'),
    };
  },
);
