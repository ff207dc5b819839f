import {
  CreateScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  type AwsApi,
  SchedulerEngine,
  type SchedulerEvent,
  schedulerApiSource,
  startAwsApi,
} from '#local/aws-api/index';
import {
  atExpression,
  credentials,
  FakeInvoker,
  FIRE_ARN,
  MemoryLogStore,
  ROLE_ARN,
} from '#test/support/aws-api';

describe('scheduler engine over a Scheduler API (the LocalStack bridge)', () => {
  let api: AwsApi;
  let client: SchedulerClient;
  let engine: SchedulerEngine | undefined;

  beforeEach(async () => {
    // A store-only Scheduler, as LocalStack's: schedules are kept but never fired by the server itself.
    api = await startAwsApi({
      port: 0,
      invoker: new FakeInvoker(),
      logs: new MemoryLogStore(),
      fireSchedules: false,
    });
    client = new SchedulerClient({ endpoint: api.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  });

  afterEach(async () => {
    await engine?.stop();
    client.destroy();
    await api.stop();
  });

  it('fires a schedule read through ListSchedules/GetSchedule and deletes it through DeleteSchedule', async () => {
    await client.send(
      new CreateScheduleCommand({
        Name: 'order-9',
        ScheduleExpression: atExpression(Date.now() + 60_000),
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: FIRE_ARN, RoleArn: ROLE_ARN, Input: '{"orderId":"order-9"}' },
        ActionAfterCompletion: 'DELETE',
      }),
    );
    const invoker = new FakeInvoker();
    const completed = new Promise<SchedulerEvent>((resolve) => {
      engine = new SchedulerEngine({
        source: schedulerApiSource({ client }),
        invoker,
        timeScale: 1_000_000,
        pollIntervalMs: 20,
        onEvent: (e) => {
          if (e.type === 'completed') resolve(e);
        },
      });
    });
    await engine!.start();
    expect(await invoker.next()).toEqual({ functionRef: FIRE_ARN, event: { orderId: 'order-9' } });
    expect(await completed).toMatchObject({ outcome: { ok: true, attempts: 1 } });
    await expect(client.send(new GetScheduleCommand({ Name: 'order-9' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect(invoker.calls).toHaveLength(1);
  });
});
