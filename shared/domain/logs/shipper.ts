import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { z } from 'zod';
import { type EventDraft, eventId, type LogLevel } from '#shared/contracts';

const gunzipAsync = promisify(gunzip);

type Level = z.infer<typeof LogLevel>;

/** The decoded payload of a CloudWatch Logs subscription delivery. */
export interface LogsSubscriptionData {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE' | string;
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly {
    readonly id: string;
    readonly timestamp: number;
    readonly message: string;
  }[];
}

/** `awslogs.data` is base64 of gzip of JSON. */
export async function decodeSubscription(data: string): Promise<LogsSubscriptionData> {
  const json = await gunzipAsync(Buffer.from(data, 'base64'));
  return JSON.parse(json.toString('utf8')) as LogsSubscriptionData;
}

const LEVELS: Record<string, Level> = {
  TRACE: 'TRACE',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  WARNING: 'WARN',
  ERROR: 'ERROR',
  CRITICAL: 'CRITICAL',
  FATAL: 'CRITICAL',
  SILENT: 'SILENT',
};

export function normalizeLevel(level: unknown, fallback: Level = 'INFO'): Level {
  return typeof level === 'string' ? (LEVELS[level.toUpperCase()] ?? fallback) : fallback;
}

/** Lambda platform lines without information for the central stream (text and JSON log formats). */
const SKIPPED_TEXT = /^(START|END|INIT_START) RequestId|^INIT_START /;
const SKIPPED_PLATFORM = new Set([
  'platform.start',
  'platform.end',
  'platform.initStart',
  'platform.extension',
  'platform.telemetrySubscription',
]);

function parseObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(trimmed);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

interface Line {
  readonly level: Level;
  readonly message: string;
  readonly service?: string;
  readonly data?: Record<string, unknown>;
}

/**
 * One log line as a central log record, or undefined to skip it.
 * - Powertools JSON lines keep their level, message and service; every other field goes to `data`.
 * - The Node runtime's text format (`time\trequestId\tLEVEL\t{json}` or text) is unwrapped the same way.
 * - Lambda platform START / END / INIT_START lines are skipped (no information); REPORT lines and every other
 *   plain-text line (stack traces, `Task timed out`) are kept as plain messages, ERROR when they look like one.
 */
export function interpretLine(message: string): Line | undefined {
  if (SKIPPED_TEXT.test(message)) return undefined;
  let obj = parseObject(message);
  let textLevel: Level | undefined;
  if (!obj) {
    const parts = message.split('\t');
    if (parts.length >= 4 && /^\d{4}-\d\d-\d\dT/.test(parts[0]!)) {
      textLevel = normalizeLevel(parts[2]);
      obj = parseObject(parts.slice(3).join('\t'));
      if (!obj)
        return { level: textLevel, message: parts.slice(3).join('\t').trim(), data: { requestId: parts[1] } };
    }
  }
  if (obj) {
    if (typeof obj.type === 'string' && obj.type.startsWith('platform.')) {
      if (SKIPPED_PLATFORM.has(obj.type)) return undefined;
      const record = (obj.record ?? {}) as Record<string, unknown>;
      const failed = typeof record.status === 'string' && record.status !== 'success';
      return { level: failed ? 'ERROR' : 'INFO', message: obj.type, data: { platform: obj.type, ...record } };
    }
    const { level, message: msg, service, timestamp: _timestamp, ...rest } = obj;
    return {
      level: normalizeLevel(level, textLevel ?? 'INFO'),
      message: typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg),
      service: typeof service === 'string' && service ? service : undefined,
      data: Object.keys(rest).length ? rest : undefined,
    };
  }
  const text = message.trim();
  if (text.startsWith('REPORT RequestId'))
    return { level: 'INFO', message: text, data: { platform: 'report' } };
  const level: Level = /\bERROR\b|Task timed out|Runtime\.[A-Za-z]+|^\w*Error:/.test(text)
    ? 'ERROR'
    : /\bWARN(ING)?\b/.test(text)
      ? 'WARN'
      : 'INFO';
  return { level, message: text, data: { plainText: true } };
}

/** The service a log group belongs to: `/aws/lambda/campusg-payment` -> `campusg-payment`. */
export function serviceOfLogGroup(logGroup: string): string {
  return logGroup.split('/').filter(Boolean).pop() ?? logGroup;
}

export interface ShippedRecord {
  readonly event: EventDraft<'LOG_RECORD'>;
  readonly key: string;
}

/** The LOG_RECORD events of one subscription delivery (none for a CONTROL_MESSAGE). Ids are deterministic. */
export function logRecordsFrom(data: LogsSubscriptionData, now: Date): ShippedRecord[] {
  if (data.messageType !== 'DATA_MESSAGE') return [];
  const out: ShippedRecord[] = [];
  for (const logEvent of data.logEvents) {
    const line = interpretLine(logEvent.message);
    if (!line) continue;
    const orderId =
      typeof line.data?.orderId === 'string'
        ? line.data.orderId
        : typeof line.data?.correlation_id === 'string'
          ? line.data.correlation_id
          : undefined;
    const service = line.service ?? serviceOfLogGroup(data.logGroup);
    out.push({
      key: orderId ?? data.logGroup,
      event: {
        id: eventId('LOG_RECORD', data.logGroup, data.logStream, logEvent.id),
        type: 'LOG_RECORD',
        timestamp: now.toISOString(),
        source: 'log-shipper',
        correlationId: orderId ?? `${data.logGroup}:${data.logStream}`,
        payload: {
          service,
          level: line.level,
          message: line.message,
          logGroup: data.logGroup,
          logStream: data.logStream,
          loggedAt: logEvent.timestamp,
          data: line.data,
        },
      },
    });
  }
  return out;
}
