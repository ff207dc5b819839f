import { formatCents, notificationSent, notificationsFor } from '#shared/domain/notification/notification';
import { ev, NOW } from '#test/support/domain-fixtures';

describe('notification domain', () => {
  it('formats cents without floating point', () => {
    expect([formatCents(0), formatCents(5), formatCents(1250), formatCents(100000)]).toEqual([
      '$0.00',
      '$0.05',
      '$12.50',
      '$1000.00',
    ]);
  });

  it('tells the right user about each event', () => {
    const completed = ev('ORDER_COMPLETED', {
      orderId: 'o',
      customerId: 'c',
      runnerId: 'r',
      totalCents: 900,
    });
    expect(notificationsFor(completed).map((n) => [n.userId, n.role])).toEqual([
      ['c', 'customer'],
      ['r', 'runner'],
    ]);
    expect(
      notificationsFor(
        ev('FUNDS_RELEASED', { orderId: 'o', holdId: 'h', paymentId: 'p', runnerId: 'r', amountCents: 900 }),
      ),
    ).toEqual([
      expect.objectContaining({
        userId: 'r',
        title: 'Payout released',
        message: expect.stringContaining('$9.00'),
      }),
    ]);
    expect(
      notificationsFor(
        ev('ORDER_CANCELLED', { orderId: 'o', customerId: 'c', totalCents: 9, reason: 'TIMEOUT' }),
      )[0]?.message,
    ).toMatch(/no runner accepted it in time/);
    expect(
      notificationsFor(ev('TIMER_CANCELLED', { orderId: 'o', scheduleName: 's', reason: 'ORDER_ACCEPTED' })),
    ).toEqual([]);
    expect(
      notificationsFor(
        ev('TIMER_STARTED', { orderId: 'o', scheduleName: 's', deadline: '2026-03-19T13:10:00.000Z' }),
      ),
    ).toEqual([]);
  });

  it('derives the notification id from the source event and the user', () => {
    const source = ev('ORDER_ACCEPTED', { orderId: 'o', customerId: 'c', runnerId: 'r', totalCents: 1 });
    const [n] = notificationsFor(source);
    const a = notificationSent(source, n!, NOW);
    const b = notificationSent(source, n!, new Date(0));
    expect(a.id).toBe(b.id);
    expect(a.payload).toMatchObject({
      notificationId: a.id,
      sourceEventId: source.id,
      sourceEventType: 'ORDER_ACCEPTED',
    });
  });
});
