import { orderView } from '#shared/domain/order/order';
import { ForbiddenError, ValidationError } from '#shared/errors';
import { callerOf, type HttpEvent, type HttpResult, header, json, parseBody, route } from '#shared/http/api';
import { CreateOrderRequest, IdempotencyKey, OrderIdParam } from '#shared/http/order-requests';
import { createLogger, forOrder, type Logger, resetOrder } from '#shared/logging';
import {
  createOrderCommand,
  getOrderQuery,
  type OrderCommand,
  type OrderServiceDeps,
  orderCommand,
} from '#shared/services/order';
import { lazy } from '#shared/wiring/clients';
import { defaultOrderDeps } from '#shared/wiring/order';

export interface OrderApiDeps extends OrderServiceDeps {
  readonly logger: Logger;
}

const logger = createLogger();

const defaultDeps = lazy((): OrderApiDeps => {
  return {
    ...defaultOrderDeps(),
    logger,
  };
});

function orderIdParam(params: Record<string, string>): string {
  const parsed = OrderIdParam.safeParse(params.id);
  if (!parsed.success)
    throw new ValidationError(`invalid order id ${JSON.stringify(params.id)}`, [
      { path: 'id', message: 'is not an order id' },
    ]);
  return parsed.data;
}

/**
 * The Order API (HTTP API payload 2.0): `POST /orders`, `GET /orders/{id}`, `POST /orders/{id}/accept`,
 * `POST /orders/{id}/complete`, `POST /orders/{id}/cancel`. See docs/api.md.
 */
export function makeHandler(deps: OrderApiDeps) {
  const command = (name: OrderCommand) => async (event: HttpEvent, params: Record<string, string>) => {
    const caller = callerOf(event);
    const orderId = orderIdParam(params);
    forOrder(deps.logger, orderId);
    const { order } = await orderCommand(deps, orderId, name, caller);
    deps.logger.info(`order ${name}`, { status: order.status, userId: caller.userId });
    return json(200, orderView(order));
  };
  return async (event: HttpEvent): Promise<HttpResult> => {
    try {
      return await route(
        event,
        [
          {
            method: 'POST',
            path: '/orders',
            handle: async (e) => {
              const caller = callerOf(e);
              if (!caller.roles.has('customers')) throw new ForbiddenError('only customers can place orders');
              const rawKey = header(e, 'idempotency-key');
              let idempotencyKey: string | undefined;
              if (rawKey !== undefined) {
                const parsed = IdempotencyKey.safeParse(rawKey);
                if (!parsed.success) {
                  throw new ValidationError('invalid Idempotency-Key header', [
                    { path: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' },
                  ]);
                }
                idempotencyKey = parsed.data;
              }
              const body = parseBody(e, CreateOrderRequest);
              const { order, replay } = await createOrderCommand(deps, caller.userId, body, idempotencyKey);
              forOrder(deps.logger, order.orderId);
              deps.logger.info(replay ? 'order create replayed' : 'order created', {
                totalCents: order.totalCents,
              });
              return json(201, orderView(order), {
                location: `/orders/${order.orderId}`,
                ...(replay ? { 'idempotent-replayed': 'true' } : {}),
              });
            },
          },
          {
            method: 'GET',
            path: '/orders/{id}',
            handle: async (e, params) => {
              const caller = callerOf(e);
              const order = await getOrderQuery(deps, orderIdParam(params), caller);
              return json(200, orderView(order));
            },
          },
          { method: 'POST', path: '/orders/{id}/accept', handle: command('accept') },
          { method: 'POST', path: '/orders/{id}/complete', handle: command('complete') },
          { method: 'POST', path: '/orders/{id}/cancel', handle: command('cancel') },
        ],
        deps.logger,
      );
    } finally {
      resetOrder(deps.logger);
    }
  };
}

export const handler = (event: HttpEvent): Promise<HttpResult> => makeHandler(defaultDeps())(event);
