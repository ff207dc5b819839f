/**
 * 200 concurrent orders through the real cloud assembly: every order reaches its expected end state and
 * the money invariants hold (read from the saga's own events, one logical event per id).
 */
import * as fs from 'node:fs';
import { type Booted, boot, commandWhenReady, distinctIds, EventCollector, type SeenEvent } from './helpers';

const N = 200;
type Plan = 'decline' | 'complete' | 'cancel';
const planOf = (i: number): Plan => (i % 10 === 0 ? 'decline' : i % 2 === 0 ? 'complete' : 'cancel');

function amount(events: readonly SeenEvent[], orderId: string, type: string): number {
  const ids = new Map<string, number>();
  for (const e of events) {
    if (
      e.event?.type === type &&
      (e.event.correlationId === orderId || e.event.payload?.orderId === orderId)
    ) {
      ids.set(e.event.id, Number(e.event.payload.amountCents ?? 0));
    }
  }
  return [...ids.values()].reduce((a, b) => a + b, 0);
}

describe('200 concurrent orders', () => {
  let sys: Booted;
  let events: EventCollector;

  beforeAll(async () => {
    sys = await boot({});
    events = await new EventCollector(sys.runtime.endpoints.kafka).start();
  }, 180_000);

  afterAll(async () => {
    await events?.stop();
    await sys?.runtime.stop();
    if (sys) fs.rmSync(sys.stateDir, { recursive: true, force: true });
  });

  it('all reach their expected end state and the money invariants hold', async () => {
    const created = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        sys.api.createOrder(`cust-l${i % 25}`, {
          totalCents: planOf(i) === 'decline' ? 60_000 : 500 + i,
          key: `load-${i}`,
        }),
      ),
    );
    expect(created.filter((r) => r.status !== 201).map((r) => r.body)).toEqual([]);
    const orders = created.map((r, i) => ({
      id: r.body.orderId,
      i,
      plan: planOf(i),
      customer: `cust-l${i % 25}`,
      total: r.body.totalCents,
    }));

    await Promise.all(
      orders.map(async (o) => {
        if (o.plan === 'decline') {
          await events.waitFor(o.id, 'ORDER_CANCELLED', 150_000);
          return;
        }
        await events.waitFor(o.id, 'TIMER_STARTED', 150_000);
        if (o.plan === 'complete') {
          const who = { sub: `runner-${o.i % 7}`, group: 'runners' as const };
          expect((await commandWhenReady(sys.api, o.id, 'accept', who, 150_000)).status).toBe(200);
          expect((await commandWhenReady(sys.api, o.id, 'complete', who, 150_000)).status).toBe(200);
          await events.waitFor(o.id, 'PAYMENT_CAPTURED', 150_000);
        } else {
          const who = { sub: o.customer, group: 'customers' as const };
          expect((await commandWhenReady(sys.api, o.id, 'cancel', who, 150_000)).status).toBe(200);
          await events.waitFor(o.id, 'PAYMENT_VOIDED', 150_000);
        }
      }),
    );

    let authorized = 0;
    let captured = 0;
    let voided = 0;
    let held = 0;
    let released = 0;
    let refunded = 0;
    for (const o of orders) {
      const all = events.all;
      const a = amount(all, o.id, 'PAYMENT_AUTHORIZED');
      const h = amount(all, o.id, 'FUNDS_HELD');
      const c = amount(all, o.id, 'PAYMENT_CAPTURED');
      const v = amount(all, o.id, 'PAYMENT_VOIDED');
      const rl = amount(all, o.id, 'FUNDS_RELEASED');
      const rf = amount(all, o.id, 'FUNDS_REFUNDED');
      if (o.plan === 'decline') {
        expect({ id: o.id, a, h, c, v, rl, rf }).toEqual({ id: o.id, a: 0, h: 0, c: 0, v: 0, rl: 0, rf: 0 });
        expect(distinctIds(all, o.id, 'PAYMENT_FAILED')).toHaveLength(1);
      } else {
        expect({ id: o.id, a, h }).toEqual({ id: o.id, a: o.total, h: o.total });
        if (o.plan === 'complete')
          expect({ id: o.id, c, rl, v, rf }).toEqual({ id: o.id, c: o.total, rl: o.total, v: 0, rf: 0 });
        else expect({ id: o.id, c, rl, v, rf }).toEqual({ id: o.id, c: 0, rl: 0, v: o.total, rf: o.total });
      }
      authorized += a;
      held += h;
      captured += c;
      voided += v;
      released += rl;
      refunded += rf;
    }
    // money is conserved: every authorized cent is either captured or voided, every held cent released or refunded
    expect(captured + voided).toBe(authorized);
    expect(released + refunded).toBe(held);
    expect(held).toBe(authorized);

    // and the API agrees on each end state
    const finals = await Promise.all(orders.map((o) => sys.api.getOrder(o.id, o.customer)));
    finals.forEach((f, k) => {
      const o = orders[k]!;
      const expected =
        o.plan === 'complete'
          ? { status: 'COMPLETED' }
          : { status: 'CANCELLED', cancelReason: o.plan === 'decline' ? 'PAYMENT_FAILED' : 'CUSTOMER' };
      expect({ id: o.id, ...f.body }).toMatchObject({ id: o.id, ...expected });
    });
  }, 360_000);
});
