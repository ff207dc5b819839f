import { randomBytes } from 'node:crypto';
import type { InvokeResult } from '#local/core/types';

/**
 * API Gateway HTTP API payload format 2.0: the event a route's function receives, and how its answer
 * becomes the HTTP response.
 */

export interface HttpApiEventV2 {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] | null } };
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
  stageVariables?: Record<string, string>;
}

export interface EventInput {
  readonly method: string;
  /** The path as received, with the stage prefix if any. */
  readonly rawPath: string;
  readonly rawQueryString: string;
  /** Node's `req.rawHeaders`: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly localPort: number;
  readonly httpVersion: string;
  readonly routeKey: string;
  readonly stage: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly authorizer?: { claims: Record<string, string>; scopes: string[] | null };
  readonly requestId: string;
  readonly apiId: string;
  readonly accountId: string;
  readonly now: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `19/Mar/2026:13:00:00 +0000`. */
export function requestTime(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${p(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`
  );
}

/** API Gateway request ids look like `JKJaXmPLvHcESHA=`. */
export function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

function traceId(now: Date): string {
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

/** Bodies of these content types reach the function as text; all others are base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/javascript' ||
    type === 'application/xml' ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

/** Claims as the JWT authorizer passes them: every value a string, lists as `[a b]`, maps as `map[k:v]`. */
export function stringifyClaim(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stringifyClaim).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `map[${entries.map(([k, v]) => `${k}:${stringifyClaim(v)}`).join(' ')}]`;
  }
  return String(value);
}

function decodeQueryPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

export function buildEvent(input: EventInput): HttpApiEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < input.rawHeaders.length; i += 2) {
    const name = input.rawHeaders[i]!.toLowerCase();
    const value = input.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${input.sourceIp}`
    : input.sourceIp;
  headers['x-forwarded-port'] = String(input.localPort);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= traceId(input.now);

  const query: Record<string, string> = {};
  for (const pair of input.rawQueryString.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeQueryPart(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeQueryPart(pair.slice(eq + 1));
    query[key] = key in query ? `${query[key]},${value}` : value;
  }

  const host = headers.host ?? `127.0.0.1:${input.localPort}`;
  const hostname = host.replace(/:\d+$/, '');
  const text = isTextContentType(headers['content-type']);
  const event: HttpApiEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(input.pathParameters).length > 0 ? { pathParameters: { ...input.pathParameters } } : {}),
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      ...(input.authorizer ? { authorizer: { jwt: input.authorizer } } : {}),
      domainName: host,
      domainPrefix: hostname.split('.')[0]!,
      http: {
        method: input.method,
        path: input.rawPath,
        protocol: `HTTP/${input.httpVersion}`,
        sourceIp: input.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: input.stage,
      time: requestTime(input.now),
      timeEpoch: input.now.getTime(),
    },
    ...(input.body.length > 0 ? { body: input.body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: input.body.length > 0 && !text,
  };
  return event;
}

export interface MappedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
  /** Why the function's answer became a 500, when it did. */
  readonly problem?: string;
}

const INTERNAL_ERROR: Omit<MappedResponse, 'problem'> = {
  statusCode: 500,
  headers: { 'content-type': 'application/json' },
  cookies: [],
  body: Buffer.from('{"message":"Internal Server Error"}'),
};

/** Maps a function's result the way HTTP API payload 2.0 does. */
export function mapResponse(result: InvokeResult): MappedResponse {
  if (!result.ok) {
    return { ...INTERNAL_ERROR, problem: `${result.error.errorType}: ${result.error.errorMessage}` };
  }
  const payload = result.payload;
  const structured =
    payload !== null && typeof payload === 'object' && !Array.isArray(payload) && 'statusCode' in payload;
  if (!structured) {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(body),
    };
  }
  const answer = payload as Record<string, unknown>;
  const statusCode = answer.statusCode;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return {
      ...INTERNAL_ERROR,
      problem: `the function returned an invalid statusCode ${JSON.stringify(statusCode)}`,
    };
  }
  const headers: Record<string, string> = {};
  if (answer.headers !== undefined && answer.headers !== null) {
    if (typeof answer.headers !== 'object' || Array.isArray(answer.headers)) {
      return { ...INTERNAL_ERROR, problem: 'the function returned headers that are not an object' };
    }
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
  }
  const cookies = Array.isArray(answer.cookies) ? answer.cookies.map(String) : [];
  const raw = answer.body;
  let body: Buffer;
  if (raw === undefined || raw === null) body = Buffer.alloc(0);
  else if (typeof raw === 'string')
    body = Buffer.from(raw, answer.isBase64Encoded === true ? 'base64' : 'utf8');
  else body = Buffer.from(JSON.stringify(raw));
  return { statusCode, headers, cookies, body };
}
