import { type AnyEvent, type EventDraft, eventId } from '#shared/contracts';
import { RejectedRecordError } from '#shared/errors';

export type NotifiedRole = 'customer' | 'runner';

export interface NotificationDraft {
  readonly userId: string;
  readonly role: NotifiedRole;
  readonly title: string;
  readonly message: string;
}

/** Whole cents as a readable amount, e.g. 1250 -> `$12.50` (no floating point). */
export function formatCents(cents: number): string {
  return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

const CANCEL_TEXT: Record<string, string> = {
  PAYMENT_FAILED: 'the payment was declined',
  TIMEOUT: 'no runner accepted it in time',
  CUSTOMER: 'you cancelled it',
};

/**
 * Who hears about a saga event, and what they read. Customer-facing events go to the order's customer,
 * runner-facing ones to its runner, some to both; TIMER_CANCELLED is internal bookkeeping and tells no one.
 * An event without the user it needs (an older producer without `customerId`) yields nothing for that user.
 */
export function notificationsFor(event: AnyEvent): NotificationDraft[] {
  const customer = (userId: string | undefined, title: string, message: string): NotificationDraft[] =>
    userId ? [{ userId, role: 'customer', title, message }] : [];
  const runner = (userId: string, title: string, message: string): NotificationDraft[] => [
    { userId, role: 'runner', title, message },
  ];
  switch (event.type) {
    case 'ORDER_CREATED': {
      const p = event.payload;
      const count = p.items.reduce((n, i) => n + i.quantity, 0);
      return customer(
        p.customerId,
        'Order placed',
        `Your order ${p.orderId} (${count} item${count === 1 ? '' : 's'}, ${formatCents(p.totalCents)}) to ${p.deliveryLocation} is placed. We are authorizing your payment.`,
      );
    }
    case 'PAYMENT_AUTHORIZED':
      return customer(
        event.payload.customerId,
        'Payment authorized',
        `We authorized ${formatCents(event.payload.amountCents)} for order ${event.payload.orderId}.`,
      );
    case 'PAYMENT_FAILED':
      return customer(
        event.payload.customerId,
        'Payment declined',
        `Your payment of ${formatCents(event.payload.amountCents)} for order ${event.payload.orderId} was declined (${event.payload.reason}). The order is cancelled.`,
      );
    case 'FUNDS_HELD':
      return customer(
        event.payload.customerId,
        'Funds held in escrow',
        `${formatCents(event.payload.amountCents)} for order ${event.payload.orderId} is held in escrow until delivery.`,
      );
    case 'TIMER_STARTED':
      return customer(
        event.payload.customerId,
        'Looking for a runner',
        `Order ${event.payload.orderId} is waiting for a runner until ${event.payload.deadline}.`,
      );
    case 'TIMER_CANCELLED':
      return [];
    case 'ORDER_TIMEOUT':
      return customer(
        event.payload.customerId,
        'No runner found',
        `No runner accepted order ${event.payload.orderId} by ${event.payload.deadline}. It will be cancelled and refunded.`,
      );
    case 'ORDER_ACCEPTED':
      return [
        ...customer(
          event.payload.customerId,
          'Runner on the way',
          `A runner accepted order ${event.payload.orderId}.`,
        ),
        ...runner(
          event.payload.runnerId,
          'Order accepted',
          `You accepted order ${event.payload.orderId} (${formatCents(event.payload.totalCents)}).`,
        ),
      ];
    case 'ORDER_COMPLETED':
      return [
        ...customer(
          event.payload.customerId,
          'Order delivered',
          `Order ${event.payload.orderId} is complete. Enjoy!`,
        ),
        ...runner(
          event.payload.runnerId,
          'Order completed',
          `You completed order ${event.payload.orderId}. The payout is on its way.`,
        ),
      ];
    case 'ORDER_CANCELLED':
      return customer(
        event.payload.customerId,
        'Order cancelled',
        `Order ${event.payload.orderId} is cancelled: ${CANCEL_TEXT[event.payload.reason] ?? event.payload.reason}.`,
      );
    case 'FUNDS_RELEASED':
      return runner(
        event.payload.runnerId,
        'Payout released',
        `${formatCents(event.payload.amountCents)} for order ${event.payload.orderId} is released to you.`,
      );
    case 'FUNDS_REFUNDED':
      return customer(
        event.payload.customerId,
        'Refund issued',
        `${formatCents(event.payload.amountCents)} for order ${event.payload.orderId} is refunded to you.`,
      );
    case 'PAYMENT_CAPTURED':
      return customer(
        event.payload.customerId,
        'Payment completed',
        `You were charged ${formatCents(event.payload.amountCents)} for order ${event.payload.orderId}.`,
      );
    case 'PAYMENT_VOIDED':
      return customer(
        event.payload.customerId,
        'Payment released',
        `The authorization of ${formatCents(event.payload.amountCents)} for order ${event.payload.orderId} is released; you are not charged.`,
      );
    default:
      throw new RejectedRecordError(
        `the notification service does not consume ${event.type} (event ${event.id})`,
      );
  }
}

/** The NOTIFICATION_SENT event for one notification; its id (also the notification id) is a function of the source event and the user. */
export function notificationSent(
  source: AnyEvent,
  n: NotificationDraft,
  now: Date,
): EventDraft<'NOTIFICATION_SENT'> {
  const notificationId = eventId('NOTIFICATION_SENT', source.id, n.userId);
  const orderId = (source.payload as { orderId: string }).orderId;
  return {
    id: notificationId,
    type: 'NOTIFICATION_SENT',
    timestamp: now.toISOString(),
    correlationId: orderId,
    payload: {
      notificationId,
      orderId,
      userId: n.userId,
      role: n.role,
      channel: 'in-app',
      title: n.title,
      message: n.message.slice(0, 2000),
      sourceEventId: source.id,
      sourceEventType: source.type,
    },
  };
}
