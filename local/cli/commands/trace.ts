import type { Command } from 'commander';
import { collectOrderEvents, formatTimeline, SAGA_TOPICS, timelineRows } from '#local/inspect/saga';
import {
  action,
  EXIT,
  type ExitCode,
  type Io,
  line,
  NotFoundError,
  positiveInt,
  printJson,
  processIo,
} from '../output';
import { addTargetOptions, resolveTarget, type Target, type TargetFlags } from '../target';

export interface TraceOptions {
  readonly json?: boolean;
  /** False hides NOTIFICATION_SENT events (`--no-notifications`). */
  readonly notifications?: boolean;
  readonly timeoutMs?: number;
}

/** `campusg trace <orderId>`: the saga of one order as a timeline across every saga topic. */
export function register(program: Command, io: Io = processIo): void {
  addTargetOptions(
    program
      .command('trace')
      .description(
        `show the saga of one order as a timeline across the topics (${SAGA_TOPICS.join(', ')}); exit 3 when no event names the order`,
      )
      .argument('<orderId>', 'the order id (the correlation id and message key of its events)')
      .option('--json', 'print the timeline as JSON (one object per event, with the full event)')
      .option('--no-notifications', 'leave out NOTIFICATION_SENT events')
      .option(
        '--timeout-ms <ms>',
        'give up reading the topics after this long',
        positiveInt('--timeout-ms'),
        30_000,
      ),
  ).action(
    action(io, async (orderId: string, opts: TargetFlags & TraceOptions) =>
      trace(resolveTarget(opts), orderId, opts, io),
    ),
  );
}

export async function trace(target: Target, orderId: string, opts: TraceOptions, io: Io): Promise<ExitCode> {
  const topics =
    opts.notifications === false ? SAGA_TOPICS.filter((t) => t !== 'notification-events') : SAGA_TOPICS;
  const events = await collectOrderEvents(await target.kafka(), orderId, {
    topics,
    timeoutMs: opts.timeoutMs,
  });
  if (events.length === 0)
    throw new NotFoundError(`no saga events for order ${orderId} on ${topics.join(', ')}`);
  if (opts.json) {
    const rows = timelineRows(events);
    printJson(io, { orderId, events: rows });
  } else {
    for (const text of formatTimeline(orderId, events)) line(io, text);
  }
  return EXIT.OK;
}
