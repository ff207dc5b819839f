import { EntityStore } from '../db/entity-store';
import type { OrderState } from '../domain/order/order';
import type { OrderServiceDeps } from '../services/order';
import { defaultClients } from './defaults';
import { requiredEnv } from './env';

/** Production dependencies of both order entry points (HTTP API and consumer). */
export function defaultOrderDeps(): OrderServiceDeps {
  const { client, publisher } = defaultClients();
  const tableName = () => requiredEnv('ORDERS_TABLE');
  return { client, publisher, tableName, orders: new EntityStore<OrderState>(client, tableName, 'ORDER') };
}
