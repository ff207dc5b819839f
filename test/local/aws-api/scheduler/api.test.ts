import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { type AwsApi, type AwsApiOptions, type SchedulerEvent, startAwsApi } from '#local/aws-api/index';
import {
  atExpression,
  credentials,
  FakeInvoker,
  FIRE_ARN,
  functionError,
  MemoryLogStore,
  ROLE_ARN,
} from '#test/support/aws-api';

const HOUR = 3_600_000;

class Harness {
  readonly events: SchedulerEvent[] = [];
  private waiters: { predicate: (e: SchedulerEvent) => boolean; resolve: (e: SchedulerEvent) => void }[] = [];
  api!: AwsApi;
  client!: SchedulerClient;

  constructor(readonly invoker = new FakeInvoker()) {}

  async start(options: Partial<AwsApiOptions> = {}): Promise<this> {
    this.api = await startAwsApi({
      port: 0,
      invoker: this.invoker,
      logs: new MemoryLogStore(),
      scheduleGroups: ['campusg-timers'],
      onSchedulerEvent: (e) => this.onEvent(e),
      ...options,
    });
    this.client = new SchedulerClient({
      endpoint: this.api.url,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });
    return this;
  }

  private onEvent(e: SchedulerEvent): void {
    this.events.push(e);
    const matched = this.waiters.filter((w) => w.predicate(e));
    this.waiters = this.waiters.filter((w) => !w.predicate(e));
    for (const w of matched) w.resolve(e);
  }

  /** The next scheduler event (or an earlier one) matching `predicate`. */
  event(predicate: (e: SchedulerEvent) => boolean): Promise<SchedulerEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  async stop(): Promise<void> {
    this.client?.destroy();
    await this.api?.stop();
  }
}

function scheduleInput(
  name: string,
  overrides: Partial<CreateScheduleCommandInput> = {},
): CreateScheduleCommandInput {
  return {
    Name: name,
    GroupName: 'campusg-timers',
    ScheduleExpression: atExpression(Date.now() + HOUR),
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: FIRE_ARN,
      RoleArn: ROLE_ARN,
      Input: JSON.stringify({ orderId: name, scheduleName: name }),
    },
    ActionAfterCompletion: 'DELETE',
    ...overrides,
  };
}

const completedNamed = (name: string) => (e: SchedulerEvent) =>
  e.type === 'completed' && e.schedule.name === name;

describe('local EventBridge Scheduler API', () => {
  let h: Harness;
  const dirs: string[] = [];

  afterEach(async () => {
    await h?.stop();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates, gets, lists and deletes a schedule as the SDK sends them', async () => {
    h = await new Harness().start();
    const created = await h.client.send(new CreateScheduleCommand(scheduleInput('order-1')));
    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/campusg-timers/order-1',
    );

    const got = await h.client.send(new GetScheduleCommand({ Name: 'order-1', GroupName: 'campusg-timers' }));
    expect(got).toMatchObject({
      Name: 'order-1',
      GroupName: 'campusg-timers',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: FIRE_ARN,
        RoleArn: ROLE_ARN,
        Input: '{"orderId":"order-1","scheduleName":"order-1"}',
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(got.CreationDate!.getTime() - Date.now())).toBeLessThan(60_000);

    await h.client.send(new CreateScheduleCommand(scheduleInput('order-2', { State: 'DISABLED' })));
    await h.client.send(new CreateScheduleCommand(scheduleInput('other-1', { GroupName: undefined })));

    const inGroup = await h.client.send(new ListSchedulesCommand({ GroupName: 'campusg-timers' }));
    expect(inGroup.Schedules?.map((s) => s.Name)).toEqual(['order-1', 'order-2']);
    expect(inGroup.Schedules?.[0]).toMatchObject({ GroupName: 'campusg-timers', Target: { Arn: FIRE_ARN } });
    const byPrefix = await h.client.send(new ListSchedulesCommand({ NamePrefix: 'other' }));
    expect(byPrefix.Schedules?.map((s) => `${s.GroupName}/${s.Name}`)).toEqual(['default/other-1']);
    const disabled = await h.client.send(new ListSchedulesCommand({ State: 'DISABLED' }));
    expect(disabled.Schedules?.map((s) => s.Name)).toEqual(['order-2']);

    await h.client.send(new DeleteScheduleCommand({ Name: 'order-1', GroupName: 'campusg-timers' }));
    const after = await h.client.send(new ListSchedulesCommand({ GroupName: 'campusg-timers' }));
    expect(after.Schedules?.map((s) => s.Name)).toEqual(['order-2']);
  });

  it('pages ListSchedules with MaxResults and NextToken', async () => {
    h = await new Harness().start();
    for (const n of [1, 2, 3, 4, 5]) await h.client.send(new CreateScheduleCommand(scheduleInput(`s-${n}`)));
    const names: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await h.client.send(new ListSchedulesCommand({ MaxResults: 2, NextToken }));
      names.push(...(out.Schedules ?? []).map((s) => s.Name!));
      NextToken = out.NextToken;
      pages += 1;
    } while (NextToken);
    expect(names).toEqual(['s-1', 's-2', 's-3', 's-4', 's-5']);
    expect(pages).toBe(3);
  });

  it('answers a duplicate name with ConflictException unless the ClientToken repeats', async () => {
    h = await new Harness().start();
    const first = await h.client.send(
      new CreateScheduleCommand(scheduleInput('dup', { ClientToken: 'token-1' })),
    );
    const retry = await h.client.send(
      new CreateScheduleCommand(scheduleInput('dup', { ClientToken: 'token-1' })),
    );
    expect(retry.ScheduleArn).toBe(first.ScheduleArn);
    const other = h.client.send(new CreateScheduleCommand(scheduleInput('dup', { ClientToken: 'token-2' })));
    await expect(other).rejects.toBeInstanceOf(ConflictException);
    await expect(other).rejects.toThrow('Schedule dup already exists.');
  });

  it('answers missing schedules and groups with ResourceNotFoundException', async () => {
    h = await new Harness().start();
    await expect(
      h.client.send(new GetScheduleCommand({ Name: 'nope', GroupName: 'campusg-timers' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      h.client.send(new DeleteScheduleCommand({ Name: 'nope', GroupName: 'campusg-timers' })),
    ).rejects.toThrow('Schedule nope does not exist.');
    await expect(
      h.client.send(new CreateScheduleCommand(scheduleInput('x', { GroupName: 'no-such-group' }))),
    ).rejects.toThrow('Schedule group no-such-group does not exist.');
    await expect(
      h.client.send(new UpdateScheduleCommand({ ...scheduleInput('nope') })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it.each([
    ['an invalid name', scheduleInput('bad name!'), 'Name'],
    [
      'an impossible at() date',
      scheduleInput('a', { ScheduleExpression: 'at(2026-02-30T10:00:00)' }),
      'not a valid date',
    ],
    [
      'an unknown expression',
      scheduleInput('a', { ScheduleExpression: 'every(5m)' }),
      'invalid schedule expression',
    ],
    ['a plural rate of one', scheduleInput('a', { ScheduleExpression: 'rate(1 minutes)' }), 'singular'],
    [
      'a five-field cron',
      scheduleInput('a', { ScheduleExpression: 'cron(0 12 * * ?)' }),
      'cron needs 6 fields',
    ],
    [
      'an unknown time zone',
      scheduleInput('a', { ScheduleExpressionTimezone: 'Mars/Olympus' }),
      'Mars/Olympus',
    ],
    [
      'a non-Lambda target',
      scheduleInput('a', { Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', RoleArn: ROLE_ARN } }),
      'Lambda function ARN',
    ],
    [
      'a FLEXIBLE window without size',
      scheduleInput('a', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }),
      'MaximumWindowInMinutes',
    ],
    [
      'a retry policy out of range',
      scheduleInput('a', {
        Target: { Arn: FIRE_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 500 } },
      }),
      'MaximumRetryAttempts',
    ],
  ])('rejects %s with ValidationException', async (_what, input, message) => {
    h = await new Harness().start();
    const create = h.client.send(new CreateScheduleCommand(input));
    await expect(create).rejects.toBeInstanceOf(ValidationException);
    await expect(create).rejects.toThrow(message);
  });

  it('accepts rate and cron expressions and stores them without firing them', async () => {
    h = await new Harness().start({ timeScale: 1_000_000 });
    await h.client.send(
      new CreateScheduleCommand(scheduleInput('rate', { ScheduleExpression: 'rate(5 minutes)' })),
    );
    await h.client.send(
      new CreateScheduleCommand(scheduleInput('cron', { ScheduleExpression: 'cron(0 12 * * ? *)' })),
    );
    await h.api.scheduler.refresh();
    expect(h.api.scheduler.pending()).toEqual([]);
    const listed = await h.client.send(new ListSchedulesCommand({}));
    expect(listed.Schedules?.map((s) => s.Name)).toEqual(['cron', 'rate']);
    expect(h.invoker.calls).toEqual([]);
  });

  it('fires an at() schedule at its scaled time with its input, then deletes it', async () => {
    h = await new Harness().start({ timeScale: 1800 });
    // One hour of schedule time at 1800x is two seconds of real time, counted from when the server stored
    // the schedule: somewhere between `before` and `after`, however loaded the machine is.
    const before = Date.now();
    const at = Math.floor((before + HOUR) / 1000) * 1000;
    await h.client.send(
      new CreateScheduleCommand(scheduleInput('order-7', { ScheduleExpression: atExpression(at) })),
    );
    const after = Date.now();
    await h.api.scheduler.refresh();
    const [pending] = h.api.scheduler.pending();
    expect(pending?.name).toBe('order-7');
    const scaled = (storedAt: number) => storedAt + (at - storedAt) / 1800;
    expect(pending!.dueAt).toBeGreaterThanOrEqual(scaled(before));
    expect(pending!.dueAt).toBeLessThanOrEqual(scaled(after));

    const call = await h.invoker.next();
    expect(call).toEqual({ functionRef: FIRE_ARN, event: { orderId: 'order-7', scheduleName: 'order-7' } });
    await h.event(completedNamed('order-7'));
    await expect(
      h.client.send(new GetScheduleCommand({ Name: 'order-7', GroupName: 'campusg-timers' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(h.invoker.calls).toHaveLength(1);
  });

  it('keeps a fired schedule whose ActionAfterCompletion is NONE and does not fire it again', async () => {
    h = await new Harness().start({ timeScale: 1_000_000 });
    await h.client.send(new CreateScheduleCommand(scheduleInput('keep', { ActionAfterCompletion: 'NONE' })));
    await h.event(completedNamed('keep'));
    const got = await h.client.send(new GetScheduleCommand({ Name: 'keep', GroupName: 'campusg-timers' }));
    expect(got.Name).toBe('keep');
    await h.api.scheduler.refresh();
    expect(h.invoker.calls).toHaveLength(1);
  });

  it('fires an updated schedule at its new time', async () => {
    h = await new Harness().start({ timeScale: 1 });
    await h.client.send(new CreateScheduleCommand(scheduleInput('moved')));
    await h.client.send(
      new UpdateScheduleCommand({
        ...scheduleInput('moved'),
        ScheduleExpression: atExpression(Date.now() - 1000),
      }),
    );
    const call = await h.invoker.next();
    expect(call.event).toEqual({ orderId: 'moved', scheduleName: 'moved' });
    await h.event(completedNamed('moved'));
  });

  it('retries a failing target per its RetryPolicy', async () => {
    let failures = 2;
    const invoker = new FakeInvoker(() =>
      failures-- > 0 ? functionError('Error', 'table busy') : { ok: true, payload: null, durationMs: 1 },
    );
    h = await new Harness(invoker).start({ timeScale: 1_000_000, schedulerRetryBaseDelayMs: 1 });
    const input = scheduleInput('retry', {
      Target: { Arn: FIRE_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 3 } },
    });
    await h.client.send(new CreateScheduleCommand(input));
    const done = await h.event(completedNamed('retry'));
    expect(done).toMatchObject({ outcome: { ok: true, attempts: 3 } });
    expect(h.events.filter((e) => e.type === 'retrying')).toHaveLength(2);
  });

  it('gives up after MaximumRetryAttempts and still completes the schedule', async () => {
    const invoker = new FakeInvoker(() => functionError('Error', 'always broken'));
    h = await new Harness(invoker).start({ timeScale: 1_000_000, schedulerRetryBaseDelayMs: 1 });
    const input = scheduleInput('broken', {
      Target: { Arn: FIRE_ARN, RoleArn: ROLE_ARN, RetryPolicy: { MaximumRetryAttempts: 1 } },
    });
    await h.client.send(new CreateScheduleCommand(input));
    const done = await h.event(completedNamed('broken'));
    expect(done).toMatchObject({ outcome: { ok: false, attempts: 2, error: 'Error: always broken' } });
    expect(h.events.some((e) => e.type === 'failed')).toBe(true);
    await expect(
      h.client.send(new GetScheduleCommand({ Name: 'broken', GroupName: 'campusg-timers' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('keeps schedules across a restart and fires the overdue ones on start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'campusg-scheduler-'));
    dirs.push(dataDir);
    h = await new Harness().start({ dataDir, timeScale: 1 });
    await h.client.send(new CreateScheduleCommand(scheduleInput('due-later')));
    await h.client.send(new CreateScheduleCommand(scheduleInput('kept', { State: 'DISABLED' })));
    await h.client.send(new CreateScheduleCommand(scheduleInput('gone')));
    await h.client.send(new DeleteScheduleCommand({ Name: 'gone', GroupName: 'campusg-timers' }));
    await h.stop();
    expect(h.invoker.calls).toEqual([]);

    // Restarted with time running fast enough that the hour has passed: the schedule is overdue.
    h = await new Harness().start({ dataDir, timeScale: 1_000_000 });
    const call = await h.invoker.next();
    expect(call.event).toEqual({ orderId: 'due-later', scheduleName: 'due-later' });
    await h.event(completedNamed('due-later'));
    const listed = await h.client.send(new ListSchedulesCommand({}));
    expect(listed.Schedules?.map((s) => `${s.Name}:${s.State}`)).toEqual(['kept:DISABLED']);
    await h.stop();

    // A third start fires nothing: the fired schedule was deleted durably.
    h = await new Harness().start({ dataDir, timeScale: 1_000_000 });
    await h.api.scheduler.refresh();
    expect(h.invoker.calls).toEqual([]);
  });

  it('advances schedule time on request', async () => {
    h = await new Harness().start({ timeScale: 1 });
    await h.client.send(new CreateScheduleCommand(scheduleInput('skip-ahead')));
    await h.api.scheduler.refresh();
    expect(h.api.scheduler.pending().map((p) => p.name)).toEqual(['skip-ahead']);
    await h.api.scheduler.advance(HOUR);
    const call = await h.invoker.next();
    expect(call.event).toEqual({ orderId: 'skip-ahead', scheduleName: 'skip-ahead' });
  });

  it('lists pending firings and advances time through the local control endpoint', async () => {
    h = await new Harness().start({ timeScale: 1 });
    await h.client.send(new CreateScheduleCommand(scheduleInput('remote-skip')));
    const pending = await fetch(`${h.api.url}/_campusg/scheduler/pending`);
    expect(((await pending.json()) as { pending: { name: string }[] }).pending.map((p) => p.name)).toEqual([
      'remote-skip',
    ]);
    const bad = await fetch(`${h.api.url}/_campusg/scheduler/advance`, {
      method: 'POST',
      body: '{"ms":"soon"}',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('ValidationException');
    const res = await fetch(`${h.api.url}/_campusg/scheduler/advance`, {
      method: 'POST',
      body: JSON.stringify({ ms: HOUR }),
    });
    expect(res.status).toBe(200);
    const call = await h.invoker.next();
    expect(call.event).toEqual({ orderId: 'remote-skip', scheduleName: 'remote-skip' });
  });

  it('fires exactly one schedule now through the local control endpoint', async () => {
    h = await new Harness().start({ timeScale: 1 });
    await h.client.send(new CreateScheduleCommand(scheduleInput('fire-me')));
    await h.client.send(new CreateScheduleCommand(scheduleInput('leave-me')));
    const fire = (body: unknown) =>
      fetch(`${h.api.url}/_campusg/scheduler/fire`, { method: 'POST', body: JSON.stringify(body) });

    const res = await fire({ name: 'fire-me', group: 'campusg-timers' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'fire-me', group: 'campusg-timers', ok: true, attempts: 1 });
    expect(h.invoker.calls.map((c) => c.event)).toEqual([{ orderId: 'fire-me', scheduleName: 'fire-me' }]);
    // The normal completion path ran: the one-time schedule is deleted; the other one keeps its time.
    await h.event(completedNamed('fire-me'));
    const listed = await h.client.send(new ListSchedulesCommand({}));
    expect(listed.Schedules?.map((s) => s.Name)).toEqual(['leave-me']);
    expect(h.api.scheduler.pending().map((p) => p.name)).toEqual(['leave-me']);

    const again = await fire({ name: 'fire-me', group: 'campusg-timers' });
    expect(again.status).toBe(404);
    expect(again.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    const otherGroup = await fire({ name: 'leave-me', group: 'default' });
    expect(otherGroup.status).toBe(404);
    const bad = await fire({ name: 'leave-me' });
    expect(bad.status).toBe(400);
    expect(h.invoker.calls).toHaveLength(1);
  });

  it('refuses to fire on a store-only Scheduler', async () => {
    h = await new Harness().start({ fireSchedules: false });
    await h.client.send(new CreateScheduleCommand(scheduleInput('stored')));
    const res = await fetch(`${h.api.url}/_campusg/scheduler/fire`, {
      method: 'POST',
      body: JSON.stringify({ name: 'stored', group: 'campusg-timers' }),
    });
    expect(res.status).toBe(400);
    expect(h.invoker.calls).toEqual([]);
  });
});
