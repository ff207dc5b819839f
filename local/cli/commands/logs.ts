import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  type FilteredLogEvent as SdkLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Command } from 'commander';
import { SERVICES, type ServiceName } from '#shared/topology';
import {
  action,
  CliError,
  describeError,
  EXIT,
  type ExitCode,
  type Io,
  NotFoundError,
  parseSince,
  processIo,
  SYSTEM_DOWN_HINT,
} from '../output';
import { addTargetOptions, resolveTarget, type Target, type TargetFlags } from '../target';

/**
 * The Lambda functions of each service by construct id (docs/conventions.md "Lambda entry points").
 * Function names, and so log group names (`/aws/lambda/<function>`), contain the construct id both on
 * AWS (CDK-generated names) and locally (names derived from the logical id).
 */
export const SERVICE_FUNCTIONS: Readonly<Record<ServiceName, readonly string[]>> = {
  order: ['OrderApiFunction', 'OrderConsumer'],
  payment: ['PaymentConsumer'],
  escrow: ['EscrowConsumer'],
  timer: ['TimerConsumer', 'TimerFireFunction'],
  notification: ['NotificationConsumer', 'NotificationApiFunction'],
  'log-shipper': ['LogShipperFunction'],
  'log-sink': ['LogSinkConsumer'],
};

/** A log event with the group it came from (FilterLogEvents answers per group). */
export type FilteredLogEvent = SdkLogEvent & { readonly logGroupName: string };

export interface LogsOptions {
  readonly follow?: boolean;
  /** Epoch ms; parsed from `--since`. */
  readonly since?: number;
  readonly filter?: string;
  readonly json?: boolean;
  /** Poll interval for --follow (ms). */
  readonly pollMs?: number;
}

/** `campusg logs <service>`: a service's function logs through CloudWatch Logs FilterLogEvents. */
export function register(program: Command, io: Io = processIo): void {
  addTargetOptions(
    program
      .command('logs')
      .description(
        "print a service's function logs (CloudWatch Logs; locally from the runtime's log capture)",
      )
      .argument(
        '<service>',
        `service (${SERVICES.map((s) => s.name).join(', ')}), a construct id such as OrderApiFunction, or a log group name`,
      )
      .option('-f, --follow', 'keep printing new log events until Ctrl-C')
      .option('--since <duration>', 'start this long ago (30s, 10m, 2h, 1d) or at an ISO date-time', '10m')
      .option('--filter <pattern>', 'CloudWatch Logs filter pattern, e.g. ERROR or \'{ $.level = "ERROR" }\'')
      .option('--json', 'print one JSON object per log event'),
  ).action(
    action(
      io,
      async (
        service: string,
        opts: TargetFlags & { follow?: boolean; since: string; filter?: string; json?: boolean },
      ) => {
        let since: number;
        try {
          since = parseSince(opts.since);
        } catch (err) {
          throw new CliError(`--since: ${describeError(err)}`, EXIT.USAGE);
        }
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        try {
          return await logs(resolveTarget(opts), service, { ...opts, since }, io, controller.signal);
        } finally {
          process.off('SIGINT', stop);
        }
      },
    ),
  );
}

/** Every log group name of the target (DescribeLogGroups, all pages). */
export async function listLogGroups(client: CloudWatchLogsClient): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new DescribeLogGroupsCommand({ nextToken }));
    for (const g of out.logGroups ?? []) if (g.logGroupName) names.push(g.logGroupName);
    nextToken = out.nextToken;
  } while (nextToken);
  return names;
}

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The log groups of a service (or construct id, or a literal log group name) among the given groups: those
 * whose name contains one of its construct ids (CDK-generated function names) or the service name as a
 * word (explicit names such as `/aws/lambda/campusg-dev-order-api`).
 */
export function logGroupsFor(service: string, groups: readonly string[]): string[] {
  if (service.startsWith('/')) return groups.filter((g) => g === service);
  const known = SERVICE_FUNCTIONS[service as ServiceName];
  const constructIds = (known ?? [service]).map(squash);
  const word = known ? new RegExp(`(^|[/_-])${service}([/_-]|$)`, 'i') : undefined;
  return groups.filter((g) => constructIds.some((id) => squash(g).includes(id)) || word?.test(g));
}

function shortGroup(group: string): string {
  return group.replace(/^\/aws\/lambda\//, '');
}

export function formatLogEvent(e: FilteredLogEvent, showGroup: boolean): string {
  const time = new Date(e.timestamp ?? 0).toISOString();
  const message = (e.message ?? '').replace(/\s+$/, '');
  return showGroup ? `${time}  ${shortGroup(e.logGroupName)}  ${message}` : `${time}  ${message}`;
}

/**
 * Resolves the log groups to read: a literal group name as is; on a deployed stack the groups its outputs
 * name; otherwise (and locally) the groups DescribeLogGroups lists whose names fit the service.
 */
async function logGroupsOf(target: Target, client: CloudWatchLogsClient, service: string): Promise<string[]> {
  if (service.startsWith('/')) return [service];
  const constructIds = SERVICE_FUNCTIONS[service as ServiceName] ?? [service];
  const fromOutputs = await target.logGroupOutputs(constructIds);
  if (fromOutputs.length > 0) return fromOutputs;
  let groups: string[];
  try {
    groups = await listLogGroups(client);
  } catch (err) {
    const where = target.awsEndpoint()?.value ?? `CloudWatch Logs in ${target.region().value}`;
    const hint = target.kind === 'aws' ? '' : ` (${SYSTEM_DOWN_HINT})`;
    throw new CliError(`cannot list log groups at ${where}: ${describeError(err)}${hint}`, EXIT.FAILURE, {
      cause: err,
    });
  }
  const mine = logGroupsFor(service, groups);
  if (mine.length === 0) {
    throw new NotFoundError(
      `no log group for ${JSON.stringify(service)}; known services: ${SERVICES.map((s) => s.name).join(', ')}` +
        (groups.length
          ? `; log groups: ${groups.map(shortGroup).join(', ')}`
          : '; there are no log groups yet'),
    );
  }
  return mine;
}

export async function logs(
  target: Target,
  service: string,
  opts: LogsOptions,
  io: Io,
  signal?: AbortSignal,
): Promise<ExitCode> {
  const client = target.logsClient();
  try {
    const mine = await logGroupsOf(target, client, service);
    const seen = new Map<string, number>();
    let startTime = opts.since ?? Date.now() - 10 * 60_000;
    const showGroup = mine.length > 1;
    for (;;) {
      const batch: FilteredLogEvent[] = [];
      for (const group of mine) {
        let nextToken: string | undefined;
        do {
          const out = await client
            .send(
              new FilterLogEventsCommand({
                logGroupName: group,
                startTime,
                filterPattern: opts.filter,
                nextToken,
              }),
            )
            .catch((err: unknown) => {
              if ((err as { name?: string }).name === 'ResourceNotFoundException') {
                throw new NotFoundError(`log group ${group} does not exist`, { cause: err });
              }
              throw err;
            });
          for (const e of out.events ?? []) {
            const id = e.eventId ?? `${group}/${e.logStreamName}/${e.timestamp}/${e.message}`;
            if (seen.has(id)) continue;
            seen.set(id, e.timestamp ?? 0);
            batch.push({ ...e, logGroupName: group });
          }
          nextToken = out.nextToken;
        } while (nextToken && !signal?.aborted);
      }
      batch.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
      for (const e of batch) {
        io.out.write(
          `${
            opts.json
              ? JSON.stringify({
                  timestamp: new Date(e.timestamp ?? 0).toISOString(),
                  logGroupName: e.logGroupName,
                  logStreamName: e.logStreamName,
                  message: (e.message ?? '').replace(/\s+$/, ''),
                })
              : formatLogEvent(e, showGroup)
          }\n`,
        );
      }
      if (!opts.follow || signal?.aborted) break;
      // Next round: overlap a few seconds (late ingestion) and forget ids older than the overlap.
      const newest = batch.reduce((m, e) => Math.max(m, e.timestamp ?? 0), startTime);
      startTime = Math.max(startTime, newest - 5000);
      for (const [id, ts] of seen) if (ts < startTime) seen.delete(id);
      await sleep(opts.pollMs ?? 1000, signal);
      if (signal?.aborted) break;
    }
  } finally {
    client.destroy();
  }
  return EXIT.OK;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
