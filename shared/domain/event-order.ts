import type { AnyEvent } from '../contracts';

/** The order an event is about: `payload.orderId` for every saga event, else the correlation id. */
export function orderIdOf(event: AnyEvent): string {
  const payload = event.payload as { orderId?: unknown };
  return typeof payload.orderId === 'string' ? payload.orderId : event.correlationId;
}
