import type { MSKEvent } from '@aws-lambda-powertools/kafka/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { encodeMskRecord, toMskEvent } from '#local/core/msk-event';
import type { AnyEvent } from '#shared/contracts';
import type { HttpEvent } from '#shared/http/api';

/** A logger that writes nothing (tests assert on behaviour, not on log lines). */
export function silentLogger(): Logger {
  return new Logger({ serviceName: 'test', logLevel: 'SILENT' });
}

export interface RecordSpec {
  readonly topic: string;
  readonly partition?: number;
  readonly offset: number;
  readonly key?: string | null;
  /** An event (serialized as JSON) or raw text. */
  readonly value: AnyEvent | string | null;
  readonly headers?: Record<string, string>;
  readonly timestamp?: number;
}

/**
 * An MSK event-source-mapping event as Lambda delivers it, encoded by the same code as the local ESM
 * emulator's events (local/core/msk-event.ts): grouped by `topic-partition`, base64 key and value, header
 * values as byte arrays.
 */
export function mskEvent(records: readonly RecordSpec[]): MSKEvent {
  const encoded = records.map((r) => {
    const value = r.value === null ? null : typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
    const key =
      r.key === undefined ? (typeof r.value === 'object' && r.value ? r.value.correlationId : null) : r.key;
    return encodeMskRecord({
      topic: r.topic,
      partition: r.partition ?? 0,
      offset: r.offset,
      timestamp: r.timestamp ?? 1773925200000,
      key,
      value,
      headers: Object.entries(r.headers ?? {}),
    });
  });
  return toMskEvent(encoded, {
    eventSourceArn:
      'arn:aws:kafka:us-east-1:123456789012:cluster/campusg/a1b2c3d4-5678-90ab-cdef-11111EXAMPLE-1',
    bootstrapServers: 'b-1.campusg.example.amazonaws.com:9098',
  }) as unknown as MSKEvent;
}

export interface HttpSpec {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  /** JWT claims; omit for an unauthenticated request. */
  readonly claims?: Record<string, unknown>;
}

/** An HTTP API payload 2.0 event with JWT authorizer claims, in the documented shape. */
export function httpEvent(spec: HttpSpec): HttpEvent {
  const body = spec.rawBody ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
  const routeKey = `${spec.method} ${spec.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: spec.path,
    rawQueryString: new URLSearchParams(spec.query ?? {}).toString(),
    queryStringParameters: spec.query,
    headers: {
      'content-type': 'application/json',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      ...(spec.headers ?? {}),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: spec.method,
        path: spec.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'jest',
      },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '19/Mar/2026:13:00:00 +0000',
      timeEpoch: 1773925200000,
      ...(spec.claims ? { authorizer: { jwt: { claims: spec.claims, scopes: null } } } : {}),
    },
    body,
    isBase64Encoded: false,
  } as HttpEvent;
}

export const customer = (sub = 'cust-1') => ({ sub, 'cognito:groups': 'customers' });
export const runner = (sub = 'runner-1') => ({ sub, 'cognito:groups': '[runners]' });
