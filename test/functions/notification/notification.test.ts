import { makeHandler as api } from '#functions/notification/api';
import { makeHandler as consumer } from '#functions/notification/consumer';
import type { AnyEvent } from '#shared/contracts';
import { DynamoNotificationStore } from '#shared/db/notification-store';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { httpEvent, mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const accepted = (orderId: string, at: string): AnyEvent => ({
  id: `evt-acc-${orderId}`,
  type: 'ORDER_ACCEPTED',
  timestamp: at,
  source: 'order',
  correlationId: orderId,
  payload: { orderId, customerId: 'cust-n', runnerId: 'run-n', totalCents: 1250 },
});

describe('notification consumer and API', () => {
  let dynamo: Dynamo;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo.close());

  it('notifies customer and runner once per event, re-publishes the identical NOTIFICATION_SENT, and lists newest first', async () => {
    const publisher = new MemoryPublisher('notification');
    const handle = consumer({
      notifications: new DynamoNotificationStore(dynamo.client, () => TABLES.NOTIFICATIONS_TABLE),
      publisher,
      logger: silentLogger(),
    });
    const batch = mskEvent([
      { topic: 'order-events', offset: 1, value: accepted('ord-n1', '2026-03-19T13:00:00.000Z') },
      { topic: 'order-events', offset: 2, value: accepted('ord-n2', '2026-03-19T14:00:00.000Z') },
    ]);
    await handle(batch);
    await handle(batch);
    const sent = publisher.events('notification-events');
    expect(sent).toHaveLength(8);
    expect(sent.slice(4)).toEqual(sent.slice(0, 4));
    expect(sent[0]).toMatchObject({
      type: 'NOTIFICATION_SENT',
      payload: { userId: 'cust-n', role: 'customer', title: 'Runner on the way' },
    });
    expect(sent[1]).toMatchObject({
      payload: { userId: 'run-n', role: 'runner', message: expect.stringContaining('$12.50') },
    });

    const read = api({
      notifications: new DynamoNotificationStore(dynamo.client, () => TABLES.NOTIFICATIONS_TABLE),
      logger: silentLogger(),
    });
    const page1 = await read(
      httpEvent({
        method: 'GET',
        path: '/users/cust-n/notifications',
        claims: { sub: 'cust-n' },
        query: { limit: '1' },
      }),
    );
    const body1 = JSON.parse(page1.body);
    expect(page1.statusCode).toBe(200);
    expect(body1.notifications.map((n: { orderId: string }) => n.orderId)).toEqual(['ord-n2']);
    const page2 = JSON.parse(
      (
        await read(
          httpEvent({
            method: 'GET',
            path: '/users/cust-n/notifications',
            claims: { sub: 'cust-n' },
            query: { limit: '5', cursor: body1.nextCursor },
          }),
        )
      ).body,
    );
    expect(page2.notifications.map((n: { orderId: string }) => n.orderId)).toEqual(['ord-n1']);
    expect(
      (
        await read(
          httpEvent({ method: 'GET', path: '/users/cust-n/notifications', claims: { sub: 'run-n' } }),
        )
      ).statusCode,
    ).toBe(403);
    expect((await read(httpEvent({ method: 'GET', path: '/users/cust-n/notifications' }))).statusCode).toBe(
      401,
    );
    expect(
      (
        await read(
          httpEvent({
            method: 'GET',
            path: '/users/cust-n/notifications',
            claims: { sub: 'cust-n' },
            query: { limit: '0' },
          }),
        )
      ).statusCode,
    ).toBe(400);
  });

  it('dead-letters events it does not consume', async () => {
    const publisher = new MemoryPublisher('notification');
    const handle = consumer({
      notifications: new DynamoNotificationStore(dynamo.client, () => TABLES.NOTIFICATIONS_TABLE),
      publisher,
      logger: silentLogger(),
    });
    const sent = {
      id: 'n1',
      type: 'NOTIFICATION_SENT',
      timestamp: '2026-03-19T13:00:00.000Z',
      source: 'notification',
      correlationId: 'o',
      payload: {
        notificationId: 'n1',
        orderId: 'o',
        userId: 'u',
        role: 'customer',
        channel: 'in-app',
        title: 't',
        message: 'm',
        sourceEventId: 's',
        sourceEventType: 'X',
      },
    } as AnyEvent;
    await handle(mskEvent([{ topic: 'order-events', offset: 3, value: sent }]));
    expect(publisher.events('dead-letters')).toEqual([
      expect.objectContaining({ payload: expect.objectContaining({ reason: 'REJECTED' }) }),
    ]);
  });
});
