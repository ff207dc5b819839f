/**
 * Restart with the same data directory in the middle of sagas: the broker log, committed offsets, tables
 * and schedules survive, every saga finishes, nothing is lost or doubled.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Booted, boot, commandWhenReady, distinctIds, EventCollector } from './helpers';

const ORDERS = 20;

describe('restart with the same data directory', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-e2e-restart-'));
  let sys: Booted | undefined;
  let events: EventCollector | undefined;

  afterAll(async () => {
    await events?.stop();
    await sys?.runtime.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes every saga after a restart in the middle, nothing lost or doubled', async () => {
    sys = await boot({ dataDir, stateDir: dataDir });
    const created = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) => sys!.api.createOrder(`cust-r${i}`, { key: `restart-${i}` })),
    );
    expect(created.every((r) => r.status === 201)).toBe(true);
    const ids = created.map((r) => r.body.orderId);
    // stop at once: most sagas are somewhere between ORDER_CREATED and TIMER_STARTED
    await sys.runtime.stop();
    expect(fs.existsSync(path.join(dataDir, 'runtime.json'))).toBe(false);

    sys = await boot({ dataDir, stateDir: dataDir });
    events = await new EventCollector(sys.runtime.endpoints.kafka).start();
    // a retried POST with the same idempotency key answers the same order (the tables survived)
    const replay = await sys.api.createOrder('cust-r0', { key: 'restart-0' });
    expect(replay.body.orderId).toBe(ids[0]);

    await Promise.all(ids.map((id) => events!.waitFor(id, 'TIMER_STARTED', 60_000)));
    await Promise.all(
      ids.map(async (id, i) => {
        if (i % 2 === 0) {
          expect(
            (await commandWhenReady(sys!.api, id, 'accept', { sub: `runner-${i}`, group: 'runners' })).status,
          ).toBe(200);
          expect(
            (await commandWhenReady(sys!.api, id, 'complete', { sub: `runner-${i}`, group: 'runners' }))
              .status,
          ).toBe(200);
          await events!.waitFor(id, 'PAYMENT_CAPTURED', 30_000);
        } else {
          expect(
            (await commandWhenReady(sys!.api, id, 'cancel', { sub: `cust-r${i}`, group: 'customers' }))
              .status,
          ).toBe(200);
          await events!.waitFor(id, 'PAYMENT_VOIDED', 30_000);
        }
      }),
    );
    for (const [i, id] of ids.entries()) {
      for (const type of ['ORDER_CREATED', 'PAYMENT_AUTHORIZED', 'FUNDS_HELD', 'TIMER_STARTED']) {
        expect({ id, type, n: distinctIds(events.all, id, type).length }).toEqual({ id, type, n: 1 });
      }
      const final =
        i % 2 === 0
          ? ['ORDER_COMPLETED', 'FUNDS_RELEASED', 'PAYMENT_CAPTURED']
          : ['ORDER_CANCELLED', 'FUNDS_REFUNDED', 'PAYMENT_VOIDED'];
      for (const type of final)
        expect({ id, type, n: distinctIds(events.all, id, type).length }).toEqual({ id, type, n: 1 });
      const order = await sys.api.getOrder(id, `cust-r${i}`);
      expect(order.body.status).toBe(i % 2 === 0 ? 'COMPLETED' : 'CANCELLED');
    }
  }, 180_000);
});
