import * as z from 'zod';
import { OrderItem } from '#shared/contracts';

/** `POST /orders` body. Unknown fields are refused so that typos do not pass silently. */
export const CreateOrderRequest = z.strictObject({
  items: z.array(OrderItem).min(1, { error: 'must list at least one item' }).max(100),
  deliveryLocation: z.string().trim().min(1, { error: 'must not be empty' }).max(500),
  paymentMethod: z.string().min(1, { error: 'must name a payment method token' }).max(100),
});

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, { error: 'must be 1-200 visible ASCII characters' });

export const OrderIdParam = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, { error: 'is not an order id' });
