import * as z from 'zod';
import type { FilteredLogEvent, LogStore } from '#local/core/types';
import { AwsApiError, ResourceNotFoundError, UnknownOperationError } from './errors';
import { type ApiReply, validate } from './http';

/**
 * CloudWatch Logs' JSON 1.1 API (`X-Amz-Target: Logs_20140328.<Operation>`) over a `LogStore`:
 * FilterLogEvents, DescribeLogGroups, DescribeLogStreams, GetLogEvents. Timestamps are epoch ms.
 */

export const LOGS_TARGET_PREFIX = 'Logs_20140328.';

class InvalidParameterError extends AwsApiError {
  override name = 'InvalidParameterError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidParameterException', message, 400, options);
  }
}

const groupName = z.string().min(1).max(512);
const groupIdentifier = z.string().min(1).max(2048);
const token = z.string().min(1);

const FilterSchema = z.object({
  logGroupName: groupName.optional(),
  logGroupIdentifier: groupIdentifier.optional(),
  logStreamNames: z.array(z.string().min(1).max(512)).min(1).max(100).optional(),
  logStreamNamePrefix: z.string().min(1).max(512).optional(),
  startTime: z.number().int().min(0).optional(),
  endTime: z.number().int().min(0).optional(),
  filterPattern: z.string().max(1024).optional(),
  nextToken: token.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  interleaved: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

const DescribeGroupsSchema = z.object({
  logGroupNamePrefix: groupName.optional(),
  logGroupNamePattern: z.string().max(512).optional(),
  nextToken: token.optional(),
  limit: z.number().int().min(1).max(50).optional(),
});

const DescribeStreamsSchema = z.object({
  logGroupName: groupName.optional(),
  logGroupIdentifier: groupIdentifier.optional(),
  logStreamNamePrefix: z.string().min(1).max(512).optional(),
  orderBy: z.enum(['LogStreamName', 'LastEventTime']).optional(),
  descending: z.boolean().optional(),
  nextToken: token.optional(),
  limit: z.number().int().min(1).max(50).optional(),
});

const GetEventsSchema = z.object({
  logGroupName: groupName.optional(),
  logGroupIdentifier: groupIdentifier.optional(),
  logStreamName: z.string().min(1).max(512),
  startTime: z.number().int().min(0).optional(),
  endTime: z.number().int().min(0).optional(),
  nextToken: token.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
  startFromHead: z.boolean().optional(),
  unmask: z.boolean().optional(),
});

interface StreamInfo {
  logStreamName: string;
  firstEventTimestamp: number;
  lastEventTimestamp: number;
  lastIngestionTime: number;
  storedBytes: number;
}

export interface LogsApiOptions {
  readonly logs: LogStore;
  readonly region: string;
  readonly accountId: string;
  /** Log groups that exist even before their first event (each function's group). */
  readonly knownGroups?: () => readonly string[];
}

function offsetToken(prefix: string, value: number): string {
  return `${prefix}/${value}`;
}

function parseOffsetToken(
  value: string | undefined,
  prefixes: readonly string[],
): [string, number] | undefined {
  if (value === undefined) return undefined;
  const match = /^([a-z])\/(\d+)$/.exec(value);
  if (!match || !prefixes.includes(match[1]!)) {
    throw new InvalidParameterError(`The specified nextToken '${value}' is invalid.`);
  }
  return [match[1]!, Number(match[2])];
}

export class LogsApi {
  private readonly startedAt = Date.now();

  constructor(private readonly options: LogsApiOptions) {}

  handle(operation: string, body: Record<string, unknown>): ApiReply {
    switch (operation) {
      case 'FilterLogEvents':
        return { json: this.filterLogEvents(body) };
      case 'DescribeLogGroups':
        return { json: this.describeLogGroups(body) };
      case 'DescribeLogStreams':
        return { json: this.describeLogStreams(body) };
      case 'GetLogEvents':
        return { json: this.getLogEvents(body) };
      default:
        throw new UnknownOperationError(
          `CloudWatch Logs: ${operation} is not supported by the local emulator ` +
            '(FilterLogEvents, DescribeLogGroups, DescribeLogStreams and GetLogEvents are)',
        );
    }
  }

  private groups(): string[] {
    const all = new Set([...this.options.logs.logGroups(), ...(this.options.knownGroups?.() ?? [])]);
    return [...all].sort();
  }

  /** The log group a request names (name or ARN); it must exist. */
  private groupOf(operation: string, input: { logGroupName?: string; logGroupIdentifier?: string }): string {
    if ((input.logGroupName === undefined) === (input.logGroupIdentifier === undefined)) {
      throw new InvalidParameterError(
        `${operation}: give exactly one of logGroupName and logGroupIdentifier`,
      );
    }
    const name =
      input.logGroupName ??
      input
        .logGroupIdentifier!.replace(/^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:/, '')
        .replace(/:\*$/, '');
    if (!this.groups().includes(name)) {
      throw new ResourceNotFoundError(`The specified log group does not exist: ${name}`);
    }
    return name;
  }

  private filterStore(filter: Parameters<LogStore['filter']>[0]): ReturnType<LogStore['filter']> {
    try {
      return this.options.logs.filter(filter);
    } catch (err) {
      throw new InvalidParameterError(`FilterLogEvents: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Every event of a group, oldest first. */
  private allEvents(group: string): FilteredLogEvent[] {
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    const seen = new Set<string>();
    do {
      const page = this.filterStore({ logGroupName: group, nextToken });
      events.push(...page.events);
      nextToken = page.nextToken;
      if (nextToken !== undefined && seen.has(nextToken)) break;
      if (nextToken !== undefined) seen.add(nextToken);
    } while (nextToken !== undefined);
    return events.sort((a, b) => a.timestamp - b.timestamp);
  }

  private streams(group: string): StreamInfo[] {
    const streams = new Map<string, StreamInfo>();
    for (const e of this.allEvents(group)) {
      const s = streams.get(e.logStreamName);
      const ingestion = e.ingestionTime ?? e.timestamp;
      const bytes = Buffer.byteLength(e.message);
      if (!s) {
        streams.set(e.logStreamName, {
          logStreamName: e.logStreamName,
          firstEventTimestamp: e.timestamp,
          lastEventTimestamp: e.timestamp,
          lastIngestionTime: ingestion,
          storedBytes: bytes,
        });
      } else {
        s.firstEventTimestamp = Math.min(s.firstEventTimestamp, e.timestamp);
        s.lastEventTimestamp = Math.max(s.lastEventTimestamp, e.timestamp);
        s.lastIngestionTime = Math.max(s.lastIngestionTime, ingestion);
        s.storedBytes += bytes;
      }
    }
    return [...streams.values()];
  }

  private filterLogEvents(body: Record<string, unknown>) {
    const input = validate(FilterSchema, body, 'FilterLogEvents');
    const group = this.groupOf('FilterLogEvents', input);
    if (input.logStreamNames && input.logStreamNamePrefix) {
      throw new InvalidParameterError(
        'FilterLogEvents: logStreamNames and logStreamNamePrefix cannot be given together',
      );
    }
    const page = this.filterStore({
      logGroupName: group,
      startTime: input.startTime,
      endTime: input.endTime,
      filterPattern: input.filterPattern,
      limit: input.limit ?? 10_000,
      nextToken: input.nextToken,
    });
    // Stream filters apply to the store's page, so a page may hold fewer events than the limit (as in AWS).
    const events = page.events.filter(
      (e) =>
        (input.logStreamNames === undefined || input.logStreamNames.includes(e.logStreamName)) &&
        (input.logStreamNamePrefix === undefined || e.logStreamName.startsWith(input.logStreamNamePrefix)),
    );
    return {
      events: events.map((e) => ({
        logStreamName: e.logStreamName,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime ?? e.timestamp,
        eventId: e.eventId,
      })),
      searchedLogStreams: [],
      nextToken: page.nextToken,
    };
  }

  private describeLogGroups(body: Record<string, unknown>) {
    const input = validate(DescribeGroupsSchema, body, 'DescribeLogGroups');
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw new InvalidParameterError(
        'DescribeLogGroups: logGroupNamePrefix and logGroupNamePattern cannot be given together',
      );
    }
    const matching = this.groups().filter(
      (g) =>
        (input.logGroupNamePrefix === undefined || g.startsWith(input.logGroupNamePrefix)) &&
        (input.logGroupNamePattern === undefined ||
          g.toLowerCase().includes(input.logGroupNamePattern.toLowerCase())),
    );
    const start = parseOffsetToken(input.nextToken, ['g'])?.[1] ?? 0;
    const limit = input.limit ?? 50;
    const slice = matching.slice(start, start + limit);
    const arn = (g: string) => `arn:aws:logs:${this.options.region}:${this.options.accountId}:log-group:${g}`;
    return {
      logGroups: slice.map((g) => ({
        logGroupName: g,
        creationTime: this.startedAt,
        metricFilterCount: 0,
        arn: `${arn(g)}:*`,
        logGroupArn: arn(g),
        storedBytes: 0,
        logGroupClass: 'STANDARD',
      })),
      nextToken: start + limit < matching.length ? offsetToken('g', start + limit) : undefined,
    };
  }

  private describeLogStreams(body: Record<string, unknown>) {
    const input = validate(DescribeStreamsSchema, body, 'DescribeLogStreams');
    const group = this.groupOf('DescribeLogStreams', input);
    if (input.orderBy === 'LastEventTime' && input.logStreamNamePrefix !== undefined) {
      throw new InvalidParameterError(
        'DescribeLogStreams: logStreamNamePrefix cannot be used when orderBy is LastEventTime',
      );
    }
    const streams = this.streams(group).filter(
      (s) => input.logStreamNamePrefix === undefined || s.logStreamName.startsWith(input.logStreamNamePrefix),
    );
    if (input.orderBy === 'LastEventTime')
      streams.sort((a, b) => a.lastEventTimestamp - b.lastEventTimestamp);
    else streams.sort((a, b) => a.logStreamName.localeCompare(b.logStreamName));
    if (input.descending) streams.reverse();
    const start = parseOffsetToken(input.nextToken, ['s'])?.[1] ?? 0;
    const limit = input.limit ?? 50;
    const slice = streams.slice(start, start + limit);
    const arn = `arn:aws:logs:${this.options.region}:${this.options.accountId}:log-group:${group}:log-stream:`;
    return {
      logStreams: slice.map((s) => ({
        ...s,
        creationTime: s.firstEventTimestamp,
        arn: `${arn}${s.logStreamName}`,
      })),
      nextToken: start + limit < streams.length ? offsetToken('s', start + limit) : undefined,
    };
  }

  private getLogEvents(body: Record<string, unknown>) {
    const input = validate(GetEventsSchema, body, 'GetLogEvents');
    const group = this.groupOf('GetLogEvents', input);
    const events = this.allEvents(group).filter(
      (e) =>
        e.logStreamName === input.logStreamName &&
        (input.startTime === undefined || e.timestamp >= input.startTime) &&
        (input.endTime === undefined || e.timestamp < input.endTime),
    );
    const limit = input.limit ?? 10_000;
    const token = parseOffsetToken(input.nextToken, ['f', 'b']);
    let start: number;
    let end: number;
    if (token?.[0] === 'f') {
      start = Math.min(token[1], events.length);
      end = Math.min(events.length, start + limit);
    } else if (token?.[0] === 'b') {
      end = Math.min(token[1], events.length);
      start = Math.max(0, end - limit);
    } else if (input.startFromHead) {
      start = 0;
      end = Math.min(events.length, limit);
    } else {
      end = events.length;
      start = Math.max(0, end - limit);
    }
    return {
      events: events.slice(start, end).map((e) => ({
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime ?? e.timestamp,
      })),
      nextForwardToken: offsetToken('f', end),
      nextBackwardToken: offsetToken('b', start),
    };
  }
}
