/**
 * The timer's scheduling adapter: the domain's SchedulerPort on EventBridge Scheduler, configured from the
 * function's environment. The in-memory double for tests lives in test/support/in-memory-scheduler.ts.
 */
import {
  ActionAfterCompletion,
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  FlexibleTimeWindowMode,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { atExpression, type FireInput, type SchedulerPort } from '#shared/domain/timer/scheduler';
import { requiredEnv } from '#shared/env';

export interface EventBridgeSchedulerConfig {
  readonly groupName: () => string;
  readonly targetArn: () => string;
  readonly roleArn: () => string;
}

export const schedulerConfigFromEnv = (): EventBridgeSchedulerConfig => ({
  groupName: () => requiredEnv('SCHEDULE_GROUP_NAME'),
  targetArn: () => requiredEnv('TIMER_FIRE_FUNCTION_ARN'),
  roleArn: () => requiredEnv('SCHEDULER_ROLE_ARN'),
});

/**
 * The Scheduler port on EventBridge Scheduler: one-time `at(...)` schedules in UTC that invoke the timer's fire
 * function with `{ orderId, scheduleName, deadline }` and delete themselves after running. The endpoint comes
 * from the SDK's standard settings (`AWS_ENDPOINT_URL_SCHEDULER` locally).
 */
export class EventBridgeScheduler implements SchedulerPort {
  constructor(
    private readonly client: SchedulerClient = new SchedulerClient({}),
    private readonly config: EventBridgeSchedulerConfig = schedulerConfigFromEnv(),
  ) {}

  async create(req: { name: string; at: Date; input: FireInput; clientToken: string }): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: req.name,
          GroupName: this.config.groupName(),
          ScheduleExpression: atExpression(req.at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: FlexibleTimeWindowMode.OFF },
          ActionAfterCompletion: ActionAfterCompletion.DELETE,
          ClientToken: req.clientToken,
          Description: `acceptance deadline of order ${req.input.orderId}`.slice(0, 512),
          Target: {
            Arn: this.config.targetArn(),
            RoleArn: this.config.roleArn(),
            Input: JSON.stringify(req.input),
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
          },
        }),
      );
    } catch (error) {
      // The name is derived from the order id: a schedule of that name is this order's timer already.
      if (error instanceof ConflictException || (error as Error)?.name === 'ConflictException') return;
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.config.groupName() }));
    } catch (error) {
      if (
        error instanceof ResourceNotFoundException ||
        (error as Error)?.name === 'ResourceNotFoundException'
      )
        return;
      throw error;
    }
  }
}
