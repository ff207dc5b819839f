/**
 * One order as the console shows it: `campusg trace` (local/cli/saga.ts timelineRows) plus what the picture
 * needs on top: the status path through the order state machine (shared/domain/order/machine.ts), the money
 * (authorized / held / captured / voided / released / refunded, and whether it balances), notifications and
 * the acceptance-deadline schedule as the events tell them.
 */

import { type SagaEvent, type TimelineRow as SagaTimelineRow, timelineRows } from '#local/inspect/saga';
import { ORDER_MACHINE } from '../../shared/domain/order/machine';
import { scheduleNameFor } from '../../shared/domain/timer/scheduler';
import type { Money, Notification, OrderStatus, ScheduleFacts } from './api-types';
import type { OrderSummary } from './store';

/** Where a record is. */
export interface RecordAt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** `campusg trace`'s row, and why the record is not a valid event when it is not. */
export type TimelineRow = SagaTimelineRow & { readonly invalid?: string };

export interface OrderDetail {
  readonly order: OrderSummary;
  readonly timeline: TimelineRow[];
  readonly path: OrderStatus[];
  readonly machine: { from: string; to: string; on: string }[];
  readonly money: Money;
  readonly notifications: Notification[];
  readonly schedule: ScheduleFacts;
}

/** The events that record a step of the order along the machine (a cancel's cause aside). */
export const STEP: Readonly<Record<string, OrderStatus>> = {
  ORDER_CREATED: 'CREATED',
  PAYMENT_AUTHORIZED: 'PAYMENT_AUTHORIZED',
  FUNDS_HELD: 'FUNDS_HELD',
  TIMER_STARTED: 'AWAITING_RUNNER',
  ORDER_ACCEPTED: 'ACCEPTED',
  ORDER_COMPLETED: 'COMPLETED',
  ORDER_CANCELLED: 'CANCELLED',
};

const MONEY: Record<string, keyof Money> = {
  PAYMENT_AUTHORIZED: 'authorized',
  FUNDS_HELD: 'held',
  PAYMENT_CAPTURED: 'captured',
  PAYMENT_VOIDED: 'voided',
  FUNDS_RELEASED: 'released',
  FUNDS_REFUNDED: 'refunded',
};

export function moneyOf(events: readonly SagaEvent[]): Money {
  const m = { authorized: 0, held: 0, captured: 0, voided: 0, released: 0, refunded: 0 };
  const seen = new Set<string>();
  for (const e of events) {
    const field = MONEY[e.type] as keyof typeof m | undefined;
    if (!field) continue;
    if (e.id !== undefined) {
      if (seen.has(e.id)) continue; // an at-least-once redelivery counts once
      seen.add(e.id);
    }
    const cents = e.payload.amountCents;
    if (typeof cents === 'number') m[field] += cents;
  }
  const openAuthorization = m.authorized - m.captured - m.voided;
  const openEscrow = m.held - m.released - m.refunded;
  return { ...m, openAuthorization, openEscrow, balanced: openAuthorization === 0 && openEscrow === 0 };
}

/**
 * `invalidOf` names what is wrong with a record that looks like an event but is not a valid one: it stays in
 * the timeline, marked, and counts for nothing else (the services dead-letter it). A valid copy that follows
 * it, such as its re-driven fix with the same id, is then no duplicate.
 */
export function orderDetail(
  order: OrderSummary,
  all: readonly SagaEvent[],
  invalidOf: (r: RecordAt) => string | undefined = () => undefined,
): OrderDetail {
  const events = all.filter((e) => invalidOf(e) === undefined);
  const seen = new Set<string>();
  const timeline = timelineRows(all).map((row): TimelineRow => {
    const invalid = invalidOf(row);
    if (invalid !== undefined) return { ...row, duplicate: false, invalid };
    const duplicate = row.id !== undefined && seen.has(row.id);
    if (row.id !== undefined) seen.add(row.id);
    return { ...row, duplicate };
  });
  const valid = timeline.filter((r) => r.invalid === undefined);
  const path: OrderStatus[] = [];
  for (const row of valid) {
    const s = STEP[row.type];
    if (s && !path.includes(s) && !path.includes('CANCELLED') && !path.includes('COMPLETED')) path.push(s);
  }
  if (order.status === 'CANCELLED' && !path.includes('CANCELLED')) path.push('CANCELLED');
  const types = new Set(valid.map((r) => r.type));
  const started = valid.find((r) => r.type === 'TIMER_STARTED');
  const schedule: ScheduleFacts = {
    name: scheduleNameFor(order.orderId),
    deadline: typeof started?.payload.deadline === 'string' ? started.payload.deadline : undefined,
    state: types.has('ORDER_TIMEOUT')
      ? 'fired'
      : types.has('TIMER_CANCELLED')
        ? 'deleted'
        : started
          ? 'pending'
          : 'none',
  };
  return {
    order,
    timeline,
    path,
    machine: ORDER_MACHINE.transitions.map((t) => ({ from: t.from, to: t.to, on: t.on })),
    money: moneyOf(events),
    notifications: valid
      .filter((r) => r.type === 'NOTIFICATION_SENT' && !r.duplicate)
      .map((r) => ({
        time: r.time,
        role: String(r.payload.role ?? '?'),
        userId: String(r.payload.userId ?? '?'),
        title: String(r.payload.title ?? ''),
        source: r.source,
      })),
    schedule,
  };
}
