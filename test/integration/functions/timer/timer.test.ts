import { makeHandler as consumer } from '../../../../functions/timer/consumer';
import { makeHandler as fire } from '../../../../functions/timer/fire';
import { InMemoryScheduler } from '../../../../shared/adapters/eventbridge-scheduler';
import type { AnyEvent, EventOf } from '../../../../shared/contracts';
import { EntityStore } from '../../../../shared/db/entity-store';
import type { TimerState } from '../../../../shared/domain/timer/timer';
import { MemoryPublisher } from '../../../../shared/kafka';
import { type Dynamo, startDynamo, TABLES } from '../../support/dynalite';
import { mskEvent, silentLogger } from '../../support/events';

const held = (orderId: string): EventOf<'FUNDS_HELD'> => ({
  id: `evt-held-${orderId}`,
  type: 'FUNDS_HELD',
  timestamp: '2026-03-19T13:00:01.000Z',
  source: 'escrow',
  correlationId: orderId,
  payload: { orderId, customerId: 'cust-1', holdId: `hold_${orderId}`, paymentId: 'pay_1', amountCents: 900 },
});
const settled = (orderId: string, type: 'ORDER_ACCEPTED' | 'ORDER_CANCELLED'): AnyEvent =>
  type === 'ORDER_ACCEPTED'
    ? {
        id: `evt-acc-${orderId}`,
        type,
        timestamp: '2026-03-19T13:01:00.000Z',
        source: 'order',
        correlationId: orderId,
        payload: { orderId, customerId: 'cust-1', runnerId: 'r-1', totalCents: 900 },
      }
    : {
        id: `evt-can-${orderId}`,
        type,
        timestamp: '2026-03-19T13:01:00.000Z',
        source: 'order',
        correlationId: orderId,
        payload: { orderId, customerId: 'cust-1', totalCents: 900, reason: 'CUSTOMER' },
      };

describe('Timer consumer and fire handler (dynalite, in-memory Scheduler port)', () => {
  let dynamo: Dynamo;
  let publisher: MemoryPublisher;
  let scheduler: InMemoryScheduler;
  let deps: Parameters<typeof consumer>[0];
  const now = new Date('2026-03-19T13:00:02.300Z');

  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    publisher = new MemoryPublisher('timer');
    scheduler = new InMemoryScheduler();
    deps = {
      timers: new EntityStore<TimerState>(dynamo.client, () => TABLES.TIMERS_TABLE, 'TIMER'),
      scheduler,
      publisher,
      acceptTimeoutSeconds: () => 120,
      now: () => now,
      logger: silentLogger(),
    };
  });

  it('creates one schedule for the deadline and emits TIMER_STARTED once under redelivery', async () => {
    const batch = mskEvent([{ topic: 'escrow-events', offset: 4, value: held('ord-t1') }]);
    await consumer(deps)(batch);
    await consumer(deps)(batch);
    const s = scheduler.schedules.get('accept-ord-t1');
    expect(s).toMatchObject({
      input: { orderId: 'ord-t1', scheduleName: 'accept-ord-t1', deadline: '2026-03-19T13:02:03.000Z' },
    });
    expect(s?.at.toISOString()).toBe('2026-03-19T13:02:03.000Z');
    const [a, b] = publisher.events('timer-events');
    expect(a).toMatchObject({
      type: 'TIMER_STARTED',
      payload: { deadline: '2026-03-19T13:02:03.000Z', customerId: 'cust-1' },
    });
    expect(b).toEqual(a);
    expect(scheduler.calls.filter((c) => c.op === 'create')).toHaveLength(1);
  });

  it('deletes the schedule on acceptance (TIMER_CANCELLED); a later firing emits nothing', async () => {
    await consumer(deps)(mskEvent([{ topic: 'escrow-events', offset: 1, value: held('ord-t2') }]));
    await consumer(deps)(
      mskEvent([{ topic: 'order-events', offset: 9, value: settled('ord-t2', 'ORDER_ACCEPTED') }]),
    );
    expect(scheduler.schedules.has('accept-ord-t2')).toBe(false);
    expect(publisher.events().map((e) => e.type)).toEqual(['TIMER_STARTED', 'TIMER_CANCELLED']);
    const out = await fire(deps)({
      orderId: 'ord-t2',
      scheduleName: 'accept-ord-t2',
      deadline: '2026-03-19T13:02:03.000Z',
    });
    expect(out.outcome).toBe('ignored');
    expect(publisher.events().map((e) => e.type)).toEqual(['TIMER_STARTED', 'TIMER_CANCELLED']);
  });

  it('never starts a timer for a FUNDS_HELD that arrives after the cancellation', async () => {
    await consumer(deps)(
      mskEvent([{ topic: 'order-events', offset: 1, value: settled('ord-t3', 'ORDER_CANCELLED') }]),
    );
    await consumer(deps)(mskEvent([{ topic: 'escrow-events', offset: 2, value: held('ord-t3') }]));
    expect(scheduler.calls).toEqual([]);
    expect(publisher.published).toEqual([]);
  });

  it('fires ORDER_TIMEOUT once from the Scheduler target input, however often the target is invoked', async () => {
    await consumer(deps)(mskEvent([{ topic: 'escrow-events', offset: 1, value: held('ord-t4') }]));
    const input = scheduler.schedules.get('accept-ord-t4')!.input;
    await fire(deps)(JSON.parse(JSON.stringify(input)));
    await fire(deps)(input);
    const timeouts = publisher.events().filter((e) => e.type === 'ORDER_TIMEOUT');
    expect(timeouts).toHaveLength(2);
    expect(timeouts[1]).toEqual(timeouts[0]);
    expect(timeouts[0]).toMatchObject({
      payload: { orderId: 'ord-t4', scheduleName: 'accept-ord-t4', customerId: 'cust-1' },
    });
    // A cancellation after the firing deletes nothing more and emits no TIMER_CANCELLED.
    await consumer(deps)(
      mskEvent([{ topic: 'order-events', offset: 2, value: settled('ord-t4', 'ORDER_CANCELLED') }]),
    );
    expect(publisher.events().filter((e) => e.type === 'TIMER_CANCELLED')).toEqual([]);
  });

  it('rejects a malformed Scheduler input without throwing', async () => {
    await expect(fire(deps)({ orderId: 'x' })).resolves.toMatchObject({ outcome: 'rejected' });
  });

  it('resumes after a crash between the SCHEDULING write and the CreateSchedule call', async () => {
    const failing = new InMemoryScheduler();
    failing.create = async () => {
      throw new Error('scheduler unavailable');
    };
    await expect(
      consumer({ ...deps, scheduler: failing })(
        mskEvent([{ topic: 'escrow-events', offset: 1, value: held('ord-t5') }]),
      ),
    ).rejects.toThrow(/scheduler unavailable/);
    await consumer(deps)(mskEvent([{ topic: 'escrow-events', offset: 1, value: held('ord-t5') }]));
    expect(scheduler.schedules.has('accept-ord-t5')).toBe(true);
    expect(publisher.events().map((e) => e.type)).toEqual(['TIMER_STARTED']);
  });
});
