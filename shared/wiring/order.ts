/**
 * Production dependencies of both order entry points (HTTP API and consumer): the orders table, as entity
 * store and as Idempotency-Key store, and the process's Kafka publisher.
 */
import { EntityStore } from '#shared/db/entity-store';
import { DynamoIdempotencyKeys } from '#shared/db/idempotency-keys';
import type { OrderState } from '#shared/domain/order/order';
import { requiredEnv } from '#shared/env';
import type { OrderServiceDeps } from '#shared/services/order';
import { defaultClients } from './clients';

export function defaultOrderDeps(): OrderServiceDeps {
  const { client, publisher } = defaultClients();
  const tableName = () => requiredEnv('ORDERS_TABLE');
  return {
    publisher,
    orders: new EntityStore<OrderState>(client, tableName, 'ORDER'),
    idempotencyKeys: new DynamoIdempotencyKeys(client, tableName),
  };
}
