import { customer, runner } from '#test/support/events';
import { ORDER_BODY, SagaHarness } from '#test/support/saga-harness';

const statusOf = (h: SagaHarness, id: string) => h.order(id).then((o) => o.status);

async function placeOrder(h: SagaHarness, body: object = ORDER_BODY, sub = 'cust-1'): Promise<string> {
  const res = await h.call({ method: 'POST', path: '/orders', body, claims: customer(sub) });
  expect(res.status).toBe(201);
  return res.body.orderId as string;
}

function typesFor(h: SagaHarness, orderId: string): string[] {
  return h
    .events()
    .filter((e) => (e.payload as { orderId?: string }).orderId === orderId && e.type !== 'NOTIFICATION_SENT')
    .map((e) => e.type);
}

describe('saga scenarios', () => {
  let h: SagaHarness;
  beforeEach(async () => {
    h = await SagaHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs the happy path to completion and balances the money', async () => {
    const orderId = await placeOrder(h);
    await h.drain();
    expect(await statusOf(h, orderId)).toBe('AWAITING_RUNNER');
    expect(h.scheduler.schedules.size).toBe(1);

    expect(
      (await h.call({ method: 'POST', path: `/orders/${orderId}/accept`, claims: runner() })).status,
    ).toBe(200);
    await h.drain();
    expect(h.scheduler.schedules.size).toBe(0);
    expect(
      (await h.call({ method: 'POST', path: `/orders/${orderId}/complete`, claims: runner() })).status,
    ).toBe(200);
    await h.drain();

    expect(await statusOf(h, orderId)).toBe('COMPLETED');
    expect(new Set(typesFor(h, orderId))).toEqual(
      new Set([
        'ORDER_CREATED',
        'PAYMENT_AUTHORIZED',
        'FUNDS_HELD',
        'TIMER_STARTED',
        'ORDER_ACCEPTED',
        'TIMER_CANCELLED',
        'ORDER_COMPLETED',
        'FUNDS_RELEASED',
        'PAYMENT_CAPTURED',
      ]),
    );
    expect(await h.moneyTotals()).toEqual({
      authorized: 900,
      captured: 900,
      voided: 0,
      held: 900,
      released: 900,
      refunded: 0,
    });
    const order = (await h.call({ method: 'GET', path: `/orders/${orderId}`, claims: customer() })).body;
    expect((order.history as { type: string }[]).map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'ORDER_CREATED',
        'PAYMENT_AUTHORIZED',
        'FUNDS_HELD',
        'TIMER_STARTED',
        'ORDER_ACCEPTED',
        'ORDER_COMPLETED',
        'PAYMENT_CAPTURED',
      ]),
    );
    const customerTitles = (await h.notificationsOf('cust-1')).map((n) => n.title);
    expect(customerTitles[0]).toBe('Payment completed');
    expect(customerTitles).toEqual(
      expect.arrayContaining(['Order placed', 'Runner on the way', 'Order delivered']),
    );
    expect((await h.notificationsOf('runner-1')).map((n) => n.title)).toEqual(
      expect.arrayContaining(['Order accepted', 'Order completed', 'Payout released']),
    );
    expect(h.topicEvents('dead-letters')).toEqual([]);
  });

  it('cancels a declined payment without holding or moving money', async () => {
    const orderId = await placeOrder(h, { ...ORDER_BODY, paymentMethod: 'tok_decline' });
    await h.drain();
    const order = await h.order(orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_FAILED' });
    expect(typesFor(h, orderId)).toEqual(['ORDER_CREATED', 'PAYMENT_FAILED', 'ORDER_CANCELLED']);
    expect(await h.holds()).toEqual([expect.objectContaining({ status: 'CLOSED', heldCents: 0 })]);
    expect(h.scheduler.calls).toEqual([]);
    expect(await h.moneyTotals()).toEqual({
      authorized: 0,
      captured: 0,
      voided: 0,
      held: 0,
      released: 0,
      refunded: 0,
    });
    expect((await h.notificationsOf('cust-1')).map((n) => n.title)).toContain('Payment declined');
  });

  it('declines an order above the payment limit', async () => {
    const orderId = await placeOrder(h, {
      ...ORDER_BODY,
      items: [{ name: 'Laptop', quantity: 1, unitPriceCents: 50_001 }],
    });
    await h.drain();
    expect(await h.order(orderId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_FAILED' });
    expect(h.events('PAYMENT_FAILED')[0]?.payload).toMatchObject({ code: 'AMOUNT_OVER_LIMIT' });
  });

  it('times out an order nobody accepts, refunds the hold and voids the payment', async () => {
    const orderId = await placeOrder(h);
    await h.drain();
    expect(await h.fireTimers()).toBe(1);
    await h.drain();
    expect(await h.order(orderId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    expect(typesFor(h, orderId)).toEqual(
      expect.arrayContaining(['ORDER_TIMEOUT', 'ORDER_CANCELLED', 'FUNDS_REFUNDED', 'PAYMENT_VOIDED']),
    );
    expect(await h.moneyTotals()).toEqual({
      authorized: 900,
      captured: 0,
      voided: 900,
      held: 900,
      released: 0,
      refunded: 900,
    });
    // A runner who comes too late gets a 409 naming both states.
    const late = await h.call({ method: 'POST', path: `/orders/${orderId}/accept`, claims: runner() });
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/CANCELLED.*accept.*AWAITING_RUNNER/);
  });

  it('lets the customer cancel before acceptance: timer deleted, hold refunded, payment voided', async () => {
    const orderId = await placeOrder(h);
    await h.drain();
    const res = await h.call({ method: 'POST', path: `/orders/${orderId}/cancel`, claims: customer() });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER' });
    await h.drain();
    expect(h.scheduler.schedules.size).toBe(0);
    expect(h.events('TIMER_CANCELLED')[0]?.payload).toMatchObject({ reason: 'ORDER_CANCELLED' });
    expect(await h.moneyTotals()).toEqual({
      authorized: 900,
      captured: 0,
      voided: 900,
      held: 900,
      released: 0,
      refunded: 900,
    });
    // A late firing of the deleted schedule changes nothing.
    const fired = await h.fireInput({
      orderId,
      scheduleName: `accept-${orderId}`,
      deadline: '2030-01-01T00:00:00.000Z',
    });
    expect(fired).toMatchObject({ outcome: 'ignored' });
    expect(h.events('ORDER_TIMEOUT')).toEqual([]);
  });

  it('cancels immediately after creation (before any hold): no hold, no timer, payment voided once', async () => {
    const orderId = await placeOrder(h);
    expect(
      (await h.call({ method: 'POST', path: `/orders/${orderId}/cancel`, claims: customer() })).status,
    ).toBe(200);
    await h.drain();
    expect(await h.order(orderId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER' });
    expect(await h.timers()).toEqual([
      expect.objectContaining({ status: expect.stringMatching(/CLOSED|CANCELLED/) }),
    ]);
    expect(h.scheduler.schedules.size).toBe(0);
    expect(h.events('PAYMENT_VOIDED')).toHaveLength(1);
    expect(await h.moneyTotals()).toMatchObject({ authorized: 900, voided: 900, captured: 0 });
    const m = await h.moneyTotals();
    expect(m.held).toBe(m.released + m.refunded);
  });

  it('survives duplicate deliveries at every step with one effect and identical re-emitted events', async () => {
    const orderId = await placeOrder(h);
    await h.drain({ duplicate: true });
    await h.call({ method: 'POST', path: `/orders/${orderId}/accept`, claims: runner() });
    // The runner's retry of the same command is answered with the same order and the same event.
    const retry = await h.call({ method: 'POST', path: `/orders/${orderId}/accept`, claims: runner() });
    expect(retry.status).toBe(200);
    await h.drain({ duplicate: true });
    await h.call({ method: 'POST', path: `/orders/${orderId}/complete`, claims: runner() });
    await h.drain({ duplicate: true });

    expect(await statusOf(h, orderId)).toBe('COMPLETED');
    expect(h.assertDuplicatesIdentical()).toBeGreaterThan(10);
    const distinct = (type: string) => new Set(h.events(type).map((e) => e.id)).size;
    for (const type of [
      'PAYMENT_AUTHORIZED',
      'FUNDS_HELD',
      'TIMER_STARTED',
      'ORDER_ACCEPTED',
      'FUNDS_RELEASED',
      'PAYMENT_CAPTURED',
    ]) {
      expect(distinct(type)).toBe(1);
    }
    expect(h.scheduler.calls.filter((c) => c.op === 'create')).toHaveLength(1);
    expect(await h.moneyTotals()).toEqual({
      authorized: 900,
      captured: 900,
      voided: 0,
      held: 900,
      released: 900,
      refunded: 0,
    });
    // Each notification stored once per user and source event.
    const titles = (await h.notificationsOf('cust-1')).map((n) => n.title);
    expect(titles.filter((t) => t === 'Order placed')).toHaveLength(1);
    expect(h.topicEvents('dead-letters')).toEqual([]);
  });

  it('dead-letters a poison record among good ones and finishes the saga', async () => {
    const orderId = await placeOrder(h);
    await h.drain({
      poison: [
        { topic: 'order-events', value: '{not json' },
        { topic: 'payment-events', value: JSON.stringify({ type: 'PAYMENT_AUTHORIZED', payload: {} }) },
      ],
    });
    expect(await statusOf(h, orderId)).toBe('AWAITING_RUNNER');
    const letters = h.topicEvents('dead-letters').map((m) => m.event);
    // order-events has four consumers, payment-events three: every consumer dead-letters on its own.
    expect(letters.filter((l) => l.type === 'DEAD_LETTER' && l.payload.reason === 'NOT_JSON')).toHaveLength(
      4,
    );
    expect(
      letters.filter((l) => l.type === 'DEAD_LETTER' && l.payload.reason === 'SCHEMA_VIOLATION'),
    ).toHaveLength(3);
    const first = letters[0];
    expect(first?.type === 'DEAD_LETTER' && first.payload.origin).toMatchObject({
      topic: 'order-events',
      partition: 0,
    });
    await h.fireTimers();
    await h.drain();
    expect(await h.moneyTotals()).toMatchObject({ held: 900, refunded: 900, voided: 900 });
  });

  it('runs many orders side by side with the money balancing in total', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        await placeOrder(
          h,
          { ...ORDER_BODY, paymentMethod: i === 5 ? 'tok_decline' : 'tok_visa' },
          `cust-${i}`,
        ),
      );
    await h.drain({ duplicate: true });
    await h.call({ method: 'POST', path: `/orders/${ids[0]}/accept`, claims: runner('r-a') });
    await h.call({ method: 'POST', path: `/orders/${ids[1]}/accept`, claims: runner('r-b') });
    await h.call({ method: 'POST', path: `/orders/${ids[2]}/cancel`, claims: customer('cust-2') });
    await h.drain();
    await h.call({ method: 'POST', path: `/orders/${ids[0]}/complete`, claims: runner('r-a') });
    // r-b accepted but never completes: the order stays ACCEPTED (no timeout after acceptance).
    await h.fireTimers();
    await h.drain({ duplicate: true });
    const statuses = await Promise.all(ids.map((id) => statusOf(h, id)));
    expect(statuses).toEqual(['COMPLETED', 'ACCEPTED', 'CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
    await h.call({ method: 'POST', path: `/orders/${ids[1]}/complete`, claims: runner('r-b') });
    await h.drain();
    const m = await h.moneyTotals();
    expect(m.authorized).toBe(m.captured + m.voided);
    expect(m.held).toBe(m.released + m.refunded);
    expect(m).toMatchObject({ authorized: 4500, captured: 1800, voided: 2700 });
    h.assertDuplicatesIdentical();
  });
});
