/**
 * The timer consumer and fire handler against the real local EventBridge Scheduler API (local/aws-api):
 * schedules are created and deleted through the AWS SDK by the production adapter, and a firing goes through
 * the Scheduler's own firing path into the fire handler. Timer state lives on dynalite. Deadlines lie years
 * ahead of the real clock, so nothing fires by itself; firings are driven with the Scheduler's fire-now
 * control (what `campusg demo` uses), never by waiting on a short real deadline.
 */
import {
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { makeHandler as consumer } from '#functions/timer/consumer';
import { makeHandler as fire } from '#functions/timer/fire';
import { type AwsApi, startAwsApi } from '#local/aws-api/index';
import type { InvokeResult, Invoker } from '#local/core/types';
import { MemoryLogStore } from '#local/runtime/logs';
import type { AnyEvent, EventOf } from '#shared/contracts';
import { EntityStore } from '#shared/db/entity-store';
import type { TimerState } from '#shared/domain/timer/timer';
import { EventBridgeScheduler } from '#shared/scheduler/eventbridge';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const GROUP = 'campusg-dev-timers';
const FIRE_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:campusg-dev-timer-fire';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/campusg-dev-timer-scheduler';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const held = (orderId: string): EventOf<'FUNDS_HELD'> => ({
  id: `evt-held-${orderId}`,
  type: 'FUNDS_HELD',
  timestamp: '2030-03-19T13:00:01.000Z',
  source: 'escrow',
  correlationId: orderId,
  payload: { orderId, customerId: 'cust-1', holdId: `hold_${orderId}`, paymentId: 'pay_1', amountCents: 900 },
});
const settled = (orderId: string, type: 'ORDER_ACCEPTED' | 'ORDER_CANCELLED'): AnyEvent =>
  type === 'ORDER_ACCEPTED'
    ? {
        id: `evt-acc-${orderId}`,
        type,
        timestamp: '2030-03-19T13:01:00.000Z',
        source: 'order',
        correlationId: orderId,
        payload: { orderId, customerId: 'cust-1', runnerId: 'r-1', totalCents: 900 },
      }
    : {
        id: `evt-can-${orderId}`,
        type,
        timestamp: '2030-03-19T13:01:00.000Z',
        source: 'order',
        correlationId: orderId,
        payload: { orderId, customerId: 'cust-1', totalCents: 900, reason: 'CUSTOMER' },
      };

/** The Scheduler's target: the fire handler, invoked in this process with the schedule's input. */
class FireInvoker implements Invoker {
  readonly calls: { ref: string; event: unknown }[] = [];
  handler: (event: unknown) => Promise<unknown> = async () => {
    throw new Error('no fire handler yet');
  };
  async invoke(ref: string, event: unknown): Promise<InvokeResult> {
    this.calls.push({ ref, event });
    try {
      return { ok: true, payload: await this.handler(event), durationMs: 1 };
    } catch (err) {
      return { ok: false, error: { errorType: 'Error', errorMessage: String(err) }, durationMs: 1 };
    }
  }
}

describe('Timer consumer and fire handler (dynalite, local EventBridge Scheduler API)', () => {
  let dynamo: Dynamo;
  let api: AwsApi;
  let client: SchedulerClient;
  const invoker = new FireInvoker();
  let publisher: MemoryPublisher;
  let deps: Parameters<typeof consumer>[0];
  const now = new Date('2030-03-19T13:00:02.300Z');

  const schedulerOn = (endpoint: string) =>
    new EventBridgeScheduler(
      new SchedulerClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }),
      { groupName: () => GROUP, targetArn: () => FIRE_ARN, roleArn: () => ROLE_ARN },
    );
  const getSchedule = (name: string) => client.send(new GetScheduleCommand({ Name: name, GroupName: GROUP }));
  const scheduleNames = async () =>
    ((await client.send(new ListSchedulesCommand({ GroupName: GROUP }))).Schedules ?? []).map((s) => s.Name);

  beforeAll(async () => {
    dynamo = await startDynamo();
    api = await startAwsApi({
      port: 0,
      invoker,
      logs: new MemoryLogStore(),
      scheduleGroups: [GROUP],
      schedulerRetryBaseDelayMs: 1,
    });
    client = new SchedulerClient({ endpoint: api.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await api?.stop();
    await dynamo?.close();
  });
  beforeEach(() => {
    publisher = new MemoryPublisher('timer');
    deps = {
      timers: new EntityStore<TimerState>(dynamo.client, () => TABLES.TIMERS_TABLE, 'TIMER'),
      scheduler: schedulerOn(api.url),
      publisher,
      acceptTimeoutSeconds: () => 120,
      now: () => now,
      logger: silentLogger(),
    };
    invoker.handler = (event) => fire(deps)(event);
    invoker.calls.length = 0;
  });

  it('creates one schedule for the deadline and emits TIMER_STARTED once under redelivery', async () => {
    const batch = mskEvent([{ topic: 'escrow-events', offset: 4, value: held('ord-t1') }]);
    await consumer(deps)(batch);
    await consumer(deps)(batch);
    const s = await getSchedule('accept-ord-t1');
    expect(s).toMatchObject({
      Name: 'accept-ord-t1',
      GroupName: GROUP,
      State: 'ENABLED',
      ScheduleExpression: 'at(2030-03-19T13:02:03)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: FIRE_ARN,
        RoleArn: ROLE_ARN,
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(JSON.parse(s.Target!.Input!)).toEqual({
      orderId: 'ord-t1',
      scheduleName: 'accept-ord-t1',
      deadline: '2030-03-19T13:02:03.000Z',
    });
    expect(api.scheduler.pending().filter((p) => p.name === 'accept-ord-t1')).toHaveLength(1);
    const [a, b] = publisher.events('timer-events');
    expect(a).toMatchObject({
      type: 'TIMER_STARTED',
      payload: { deadline: '2030-03-19T13:02:03.000Z', customerId: 'cust-1', scheduleName: 'accept-ord-t1' },
    });
    expect(b).toEqual(a);
    expect(invoker.calls).toEqual([]);
  });

  it('deletes the schedule on acceptance (TIMER_CANCELLED); a later firing emits nothing', async () => {
    await consumer(deps)(mskEvent([{ topic: 'escrow-events', offset: 1, value: held('ord-t2') }]));
    expect(await scheduleNames()).toContain('accept-ord-t2');
    await consumer(deps)(
      mskEvent([{ topic: 'order-events', offset: 9, value: settled('ord-t2', 'ORDER_ACCEPTED') }]),
    );
    await expect(getSchedule('accept-ord-t2')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(await api.scheduler.fireNow('accept-ord-t2', GROUP)).toBeUndefined();
    expect(publisher.events().map((e) => e.type)).toEqual(['TIMER_STARTED', 'TIMER_CANCELLED']);
    // a firing that was already on its way when the schedule was deleted changes nothing
    const out = await fire(deps)({
      orderId: 'ord-t2',
      scheduleName: 'accept-ord-t2',
      deadline: '2030-03-19T13:02:03.000Z',
    });
    expect(out.outcome).toBe('ignored');
    expect(publisher.events().map((e) => e.type)).toEqual(['TIMER_STARTED', 'TIMER_CANCELLED']);
  });

  it('never starts a timer for a FUNDS_HELD that arrives after the cancellation', async () => {
    await consumer(deps)(
      mskEvent([{ topic: 'order-events', offset: 1, value: settled('ord-t3', 'ORDER_CANCELLED') }]),
    );
    await consumer(deps)(mskEvent([{ topic: 'escrow-events', offset: 2, value: held('ord-t3') }]));
    expect(await scheduleNames()).not.toContain('accept-ord-t3');
    expect(publisher.published).toEqual([]);
  });

  it('fires ORDER_TIMEOUT once through the Scheduler, however often the target is invoked', async () => {
    await consumer(deps)(mskEvent([{ topic: 'escrow-events', offset: 1, value: held('ord-t4') }]));
    const outcome = await api.scheduler.fireNow('accept-ord-t4', GROUP);
    expect(outcome).toEqual({ ok: true, attempts: 1 });
    expect(invoker.calls).toEqual([
      {
        ref: FIRE_ARN,
        event: { orderId: 'ord-t4', scheduleName: 'accept-ord-t4', deadline: '2030-03-19T13:02:03.000Z' },
      },
    ]);
    // ActionAfterCompletion DELETE: the one-time schedule is gone once it has run
    await expect(getSchedule('accept-ord-t4')).rejects.toBeInstanceOf(ResourceNotFoundException);
    // the Scheduler delivers at least once: a second invocation re-emits the identical event
    await fire(deps)(invoker.calls[0]!.event);
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
    // A Scheduler endpoint nobody listens on: the SDK's own connection error, as when the API is down.
    const down = schedulerOn('http://127.0.0.1:9');
    await expect(
      consumer({ ...deps, scheduler: down })(
        mskEvent([{ topic: 'escrow-events', offset: 1, value: held('ord-t5') }]),
      ),
    ).rejects.toThrow();
    expect(await scheduleNames()).not.toContain('accept-ord-t5');
    expect(publisher.published).toEqual([]);
    await consumer(deps)(mskEvent([{ topic: 'escrow-events', offset: 1, value: held('ord-t5') }]));
    expect(JSON.parse((await getSchedule('accept-ord-t5')).Target!.Input!)).toMatchObject({
      orderId: 'ord-t5',
      deadline: '2030-03-19T13:02:03.000Z',
    });
    expect(publisher.events().map((e) => e.type)).toEqual(['TIMER_STARTED']);
  });
});
