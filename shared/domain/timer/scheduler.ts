import { createHash } from 'node:crypto';

/** What the schedule passes to the fire handler (docs/conventions.md). */
export interface FireInput {
  readonly orderId: string;
  readonly scheduleName: string;
  readonly deadline: string;
}

/**
 * The Scheduler port. `create` is idempotent (a client token, and an existing schedule of the same name counts
 * as created); `delete` treats a missing schedule as deleted.
 */
export interface SchedulerPort {
  create(req: { name: string; at: Date; input: FireInput; clientToken: string }): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * A valid EventBridge Scheduler name (1-64 of `[0-9A-Za-z_.-]`) derived from the order id: readable when the id
 * allows it, a hash otherwise. The same order always gets the same name.
 */
export function scheduleNameFor(orderId: string): string {
  const readable = `accept-${orderId}`;
  if (/^[0-9A-Za-z_.-]{1,64}$/.test(readable)) return readable;
  return `accept-${createHash('sha256').update(orderId).digest('hex').slice(0, 40)}`;
}

/** Idempotency token for CreateSchedule: the same schedule request always sends the same token (<= 64 chars). */
export function clientTokenFor(name: string, deadline: string): string {
  return createHash('sha256').update(`${name}|${deadline}`).digest('hex').slice(0, 64);
}

/** The `at(yyyy-mm-ddThh:mm:ss)` expression of a one-time schedule, in UTC. */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/** The deadline `seconds` after `now`, rounded up to a whole second (the Scheduler's resolution). */
export function deadlineAfter(now: Date, seconds: number): Date {
  return new Date(Math.ceil(now.getTime() / 1000) * 1000 + seconds * 1000);
}
