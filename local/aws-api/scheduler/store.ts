import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineSchedule, FireOutcome, ScheduleSource } from './engine';

/**
 * Schedules and schedule groups of the local EventBridge Scheduler. In memory, and when a data directory is
 * given also in an append-only journal (`<dataDir>/scheduler/journal.jsonl`, one JSON line per change,
 * compacted on open), so schedules survive a restart or a killed process. It is the engine's
 * `ScheduleSource` for the embedded runtime.
 */

export interface StoredTarget {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly RetryPolicy: { readonly MaximumEventAgeInSeconds: number; readonly MaximumRetryAttempts: number };
  readonly [other: string]: unknown;
}

export interface StoredSchedule {
  readonly Name: string;
  readonly GroupName: string;
  readonly Arn: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  /** Epoch ms. */
  readonly StartDate?: number;
  /** Epoch ms. */
  readonly EndDate?: number;
  readonly Description?: string;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly KmsKeyArn?: string;
  readonly Target: StoredTarget;
  readonly FlexibleTimeWindow: {
    readonly Mode: 'OFF' | 'FLEXIBLE';
    readonly MaximumWindowInMinutes?: number;
  };
  readonly ActionAfterCompletion: 'NONE' | 'DELETE';
  /** Epoch ms. */
  readonly CreationDate: number;
  /** Epoch ms. */
  readonly LastModificationDate: number;
  readonly ClientToken?: string;
  /** Epoch ms at which a one-time schedule with ActionAfterCompletion NONE ran. */
  readonly CompletedAt?: number;
}

export interface StoredGroup {
  readonly Name: string;
  readonly Arn: string;
  readonly CreationDate: number;
  readonly LastModificationDate: number;
}

type JournalLine =
  | { readonly t: 'schedule'; readonly v: StoredSchedule }
  | { readonly t: 'delete'; readonly k: string }
  | { readonly t: 'group'; readonly v: StoredGroup }
  | { readonly t: 'deleteGroup'; readonly k: string };

export function scheduleKey(groupName: string, name: string): string {
  return `${groupName}/${name}`;
}

export interface ScheduleStoreOptions {
  readonly region: string;
  readonly accountId: string;
  readonly dataDir?: string;
  /** Groups that exist from the start besides `default` (the template's AWS::Scheduler::ScheduleGroup). */
  readonly groups?: readonly string[];
}

export class ScheduleStore {
  private readonly schedules = new Map<string, StoredSchedule>();
  /** The engine's view of each schedule, built once per change. */
  private readonly engineView = new Map<string, EngineSchedule>();
  private readonly groups = new Map<string, StoredGroup>();
  private readonly listeners = new Set<() => void>();
  private readonly journalPath: string | undefined;
  private journalLines = 0;

  constructor(private readonly options: ScheduleStoreOptions) {
    if (options.dataDir) {
      const dir = join(options.dataDir, 'scheduler');
      mkdirSync(dir, { recursive: true });
      this.journalPath = join(dir, 'journal.jsonl');
      this.replay();
      for (const [key, schedule] of this.schedules) this.engineView.set(key, toEngineSchedule(schedule));
      this.compact();
    }
    for (const name of ['default', ...(options.groups ?? [])]) {
      if (!this.groups.has(name)) this.putGroup(name);
    }
  }

  groupArn(name: string): string {
    return `arn:aws:scheduler:${this.options.region}:${this.options.accountId}:schedule-group/${name}`;
  }

  scheduleArn(groupName: string, name: string): string {
    return `arn:aws:scheduler:${this.options.region}:${this.options.accountId}:schedule/${groupName}/${name}`;
  }

  getSchedule(groupName: string, name: string): StoredSchedule | undefined {
    return this.schedules.get(scheduleKey(groupName, name));
  }

  /** Every schedule, sorted by group then name. */
  listSchedules(): StoredSchedule[] {
    const byKey = (s: StoredSchedule) => scheduleKey(s.GroupName, s.Name);
    return [...this.schedules.values()].sort((a, b) =>
      byKey(a) < byKey(b) ? -1 : byKey(a) > byKey(b) ? 1 : 0,
    );
  }

  putSchedule(schedule: StoredSchedule): void {
    const key = scheduleKey(schedule.GroupName, schedule.Name);
    this.schedules.set(key, schedule);
    this.engineView.set(key, toEngineSchedule(schedule));
    this.write({ t: 'schedule', v: schedule });
    this.changed();
  }

  deleteSchedule(groupName: string, name: string): boolean {
    const key = scheduleKey(groupName, name);
    if (!this.schedules.delete(key)) return false;
    this.engineView.delete(key);
    this.write({ t: 'delete', k: key });
    this.changed();
    return true;
  }

  getGroup(name: string): StoredGroup | undefined {
    return this.groups.get(name);
  }

  listGroups(): StoredGroup[] {
    return [...this.groups.values()].sort((a, b) => a.Name.localeCompare(b.Name));
  }

  putGroup(name: string): StoredGroup {
    const now = Date.now();
    const group = { Name: name, Arn: this.groupArn(name), CreationDate: now, LastModificationDate: now };
    this.groups.set(name, group);
    this.write({ t: 'group', v: group });
    return group;
  }

  /** Deletes a group and every schedule in it. */
  deleteGroup(name: string): boolean {
    if (!this.groups.delete(name)) return false;
    for (const s of [...this.schedules.values()]) {
      if (s.GroupName === name) this.deleteSchedule(s.GroupName, s.Name);
    }
    this.write({ t: 'deleteGroup', k: name });
    return true;
  }

  /** The engine's view of this store. */
  asSource(): ScheduleSource {
    return {
      list: async () => [...this.engineView.values()],
      complete: async (schedule: EngineSchedule, _outcome: FireOutcome) => {
        const current = this.getSchedule(schedule.groupName, schedule.name);
        // Updated or deleted while firing: the new version is the engine's next job, not this one's.
        if (!current || current.LastModificationDate !== schedule.modifiedAt) return;
        if (current.ActionAfterCompletion === 'DELETE') this.deleteSchedule(current.GroupName, current.Name);
        else this.putSchedule({ ...current, CompletedAt: Date.now() });
      },
      watch: (onChange: () => void) => {
        this.listeners.add(onChange);
        return () => this.listeners.delete(onChange);
      },
    };
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private write(line: JournalLine): void {
    if (!this.journalPath) return;
    appendFileSync(this.journalPath, `${JSON.stringify(line)}\n`);
    this.journalLines += 1;
    if (this.journalLines > 2 * (this.schedules.size + this.groups.size) + 1000) this.compact();
  }

  private replay(): void {
    let text: string;
    try {
      text = readFileSync(this.journalPath!, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      let line: JournalLine;
      try {
        line = JSON.parse(raw) as JournalLine;
      } catch {
        continue; // a line torn by a killed process: the change it carried was never acknowledged
      }
      if (line.t === 'schedule') this.schedules.set(scheduleKey(line.v.GroupName, line.v.Name), line.v);
      else if (line.t === 'delete') this.schedules.delete(line.k);
      else if (line.t === 'group') this.groups.set(line.v.Name, line.v);
      else if (line.t === 'deleteGroup') this.groups.delete(line.k);
    }
  }

  /** Rewrites the journal as one line per live group and schedule. */
  private compact(): void {
    if (!this.journalPath) return;
    const lines: JournalLine[] = [
      ...[...this.groups.values()].map((v) => ({ t: 'group' as const, v })),
      ...[...this.schedules.values()].map((v) => ({ t: 'schedule' as const, v })),
    ];
    const tmp = `${this.journalPath}.tmp`;
    writeFileSync(tmp, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    renameSync(tmp, this.journalPath);
    this.journalLines = lines.length;
  }
}

export function toEngineSchedule(s: StoredSchedule): EngineSchedule {
  return {
    name: s.Name,
    groupName: s.GroupName,
    expression: s.ScheduleExpression,
    timezone: s.ScheduleExpressionTimezone,
    state: s.State,
    targetArn: s.Target.Arn,
    input: s.Target.Input,
    retryPolicy: {
      maximumEventAgeInSeconds: s.Target.RetryPolicy.MaximumEventAgeInSeconds,
      maximumRetryAttempts: s.Target.RetryPolicy.MaximumRetryAttempts,
    },
    actionAfterCompletion: s.ActionAfterCompletion,
    modifiedAt: s.LastModificationDate,
    completedAt: s.CompletedAt,
  };
}
