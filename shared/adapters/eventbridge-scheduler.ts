import {
  ActionAfterCompletion,
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  FlexibleTimeWindowMode,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { FireInput, SchedulerPort } from '../domain/timer/scheduler';
import { atExpression } from '../domain/timer/scheduler';
import { requiredEnv } from '../runtime/env';

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

/** An in-memory Scheduler for tests and tools: keeps the schedules it was asked to create. */
export class InMemoryScheduler implements SchedulerPort {
  readonly schedules = new Map<string, { at: Date; input: FireInput; clientToken: string }>();
  readonly calls: { op: 'create' | 'delete'; name: string }[] = [];

  async create(req: { name: string; at: Date; input: FireInput; clientToken: string }): Promise<void> {
    this.calls.push({ op: 'create', name: req.name });
    if (!this.schedules.has(req.name))
      this.schedules.set(req.name, { at: req.at, input: req.input, clientToken: req.clientToken });
  }

  async delete(name: string): Promise<void> {
    this.calls.push({ op: 'delete', name });
    this.schedules.delete(name);
  }
}
