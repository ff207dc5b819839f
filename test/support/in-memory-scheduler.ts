/**
 * A test double of the timer's SchedulerPort: keeps in memory the schedules it was asked to create and
 * records every call, so scenario tests can fire a deadline by hand. Production uses
 * shared/scheduler/eventbridge.ts.
 */
import type { FireInput, SchedulerPort } from '#shared/domain/timer/scheduler';

/** An in-memory Scheduler for tests: keeps the schedules it was asked to create. */
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
