import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ListSchedulesCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  type ScheduleSummary,
} from '@aws-sdk/client-scheduler';
import type { EngineSchedule, ScheduleSource } from './engine';

/**
 * A `ScheduleSource` that polls a real EventBridge Scheduler API (LocalStack's, which stores schedules but
 * never fires them, or this emulator's) through ListSchedules and GetSchedule, and deletes a fired schedule
 * through DeleteSchedule when its ActionAfterCompletion is DELETE. GetSchedule is only called for schedules
 * that are new or modified since the last poll. A fired schedule with ActionAfterCompletion NONE is
 * remembered in memory only, so it fires again if the bridge restarts.
 */

export interface SchedulerApiSourceOptions {
  readonly client: SchedulerClient;
  /** Only schedules of this group; every group when absent. */
  readonly groupName?: string;
}

const DEFAULT_RETRY = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 };

function toEngineSchedule(out: GetScheduleCommandOutput): EngineSchedule | undefined {
  if (!out.Name || !out.GroupName || !out.ScheduleExpression || !out.Target?.Arn) return undefined;
  return {
    name: out.Name,
    groupName: out.GroupName,
    expression: out.ScheduleExpression,
    timezone: out.ScheduleExpressionTimezone,
    state: out.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    targetArn: out.Target.Arn,
    input: out.Target.Input,
    retryPolicy: {
      maximumEventAgeInSeconds:
        out.Target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY.maximumEventAgeInSeconds,
      maximumRetryAttempts:
        out.Target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY.maximumRetryAttempts,
    },
    actionAfterCompletion: out.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
    modifiedAt: (out.LastModificationDate ?? out.CreationDate ?? new Date()).getTime(),
  };
}

export function schedulerApiSource(options: SchedulerApiSourceOptions): ScheduleSource {
  const { client } = options;
  /** Details by `group/name`, with the list's LastModificationDate they were read at. */
  const cache = new Map<string, { listedAt: number; schedule: EngineSchedule }>();

  async function listAll(): Promise<ScheduleSummary[]> {
    const summaries: ScheduleSummary[] = [];
    let NextToken: string | undefined;
    do {
      const out = await client.send(new ListSchedulesCommand({ GroupName: options.groupName, NextToken }));
      summaries.push(...(out.Schedules ?? []));
      NextToken = out.NextToken;
    } while (NextToken);
    return summaries;
  }

  async function detail(summary: ScheduleSummary): Promise<EngineSchedule | undefined> {
    const key = `${summary.GroupName}/${summary.Name}`;
    const listedAt = summary.LastModificationDate?.getTime() ?? 0;
    const cached = cache.get(key);
    if (cached && cached.listedAt === listedAt) return cached.schedule;
    try {
      const out = await client.send(
        new GetScheduleCommand({ Name: summary.Name, GroupName: summary.GroupName }),
      );
      const schedule = toEngineSchedule(out);
      if (schedule) cache.set(key, { listedAt, schedule });
      return schedule;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined; // deleted since the list
      throw err;
    }
  }

  return {
    async list() {
      const summaries = (await listAll()).filter((s) => s.State !== 'DISABLED' && s.Name && s.GroupName);
      const keys = new Set(summaries.map((s) => `${s.GroupName}/${s.Name}`));
      for (const key of cache.keys()) if (!keys.has(key)) cache.delete(key);
      const details = await Promise.all(summaries.map(detail));
      return details.filter((s): s is EngineSchedule => s !== undefined);
    },
    async complete(schedule) {
      if (schedule.actionAfterCompletion !== 'DELETE') return;
      try {
        await client.send(new DeleteScheduleCommand({ Name: schedule.name, GroupName: schedule.groupName }));
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
      }
    },
  };
}
