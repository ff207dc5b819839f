import {
  ConflictException,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { EventBridgeScheduler } from '#shared/scheduler/eventbridge';

// EventBridge Scheduler cannot run here: a stand-in client records the commands the adapter sends.
function recordingClient(fail?: Error) {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      sent.push({ name: command.constructor.name, input: command.input });
      if (fail) throw fail;
      return {};
    },
  } as unknown as SchedulerClient;
  return { client, sent };
}

const config = {
  groupName: () => 'campusg',
  targetArn: () => 'arn:aws:lambda:us-east-1:1:function:fire',
  roleArn: () => 'arn:aws:iam::1:role/scheduler',
};
const input = { orderId: 'ord_1', scheduleName: 'accept-ord_1', deadline: '2026-03-19T13:10:00.000Z' };

describe('EventBridgeScheduler adapter', () => {
  it('creates a one-time UTC at() schedule that deletes itself and targets the fire function', async () => {
    const { client, sent } = recordingClient();
    await new EventBridgeScheduler(client, config).create({
      name: 'accept-ord_1',
      at: new Date(input.deadline),
      input,
      clientToken: 'tok',
    });
    expect(sent).toEqual([
      {
        name: 'CreateScheduleCommand',
        input: expect.objectContaining({
          Name: 'accept-ord_1',
          GroupName: 'campusg',
          ScheduleExpression: 'at(2026-03-19T13:10:00)',
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          ClientToken: 'tok',
          Target: expect.objectContaining({
            Arn: config.targetArn(),
            RoleArn: config.roleArn(),
            Input: JSON.stringify(input),
          }),
        }),
      },
    ]);
  });

  it('treats an existing schedule as created and a missing one as deleted', async () => {
    const conflict = recordingClient(
      new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }),
    );
    await expect(
      new EventBridgeScheduler(conflict.client, config).create({
        name: 'n',
        at: new Date(),
        input,
        clientToken: 't',
      }),
    ).resolves.toBeUndefined();
    const missing = recordingClient(
      new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }),
    );
    await expect(new EventBridgeScheduler(missing.client, config).delete('n')).resolves.toBeUndefined();
    expect(missing.sent[0]).toEqual({
      name: 'DeleteScheduleCommand',
      input: { Name: 'n', GroupName: 'campusg' },
    });
    const other = recordingClient(new Error('throttled'));
    await expect(new EventBridgeScheduler(other.client, config).delete('n')).rejects.toThrow('throttled');
  });
});
