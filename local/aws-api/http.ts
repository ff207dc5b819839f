import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { RequestTooLargeError, SerializationError, ValidationError } from './errors';

/** Reads a request body, refusing more than `limit` bytes (the rest of the request is not read). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new RequestTooLargeError(`request body of ${declared} bytes is over the ${limit}-byte limit`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.pause();
        reject(new RequestTooLargeError(`request body is over the ${limit}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}

/** Parses a JSON object body; an empty body is `{}`. */
export function parseJsonObject(body: Buffer, operation: string): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SerializationError(
      `${operation}: the request body is not valid JSON (${(err as Error).message})`,
      { cause: err },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SerializationError(`${operation}: the request body must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Validates with zod and throws a ValidationException listing every problem, AWS style. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, operation: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const at = issue.path.length > 0 ? issue.path.join('.') : 'request';
    return `${at}: ${issue.message}`;
  });
  const count = `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected`;
  throw new ValidationError(`${operation}: ${count}: ${problems.join('; ')}`);
}

export function sendJson(
  res: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** One request as the service handlers see it. */
export interface ApiRequest {
  readonly method: string;
  /** Decoded path segments, e.g. `['schedules', 'my-schedule']`. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** What a handler answers; the server writes it. */
export interface ApiReply {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialized as JSON; `raw` wins when both are set. */
  readonly json?: unknown;
  readonly raw?: Buffer | string;
  readonly contentType?: string;
}

/** The AWS services the local API server answers, as the authorizer sees them. */
export type AwsApiService = 'scheduler' | 'lambda' | 'logs' | 'kafka';

/** One AWS call, before its handler runs (local controls under /_campusg are never authorized). */
export interface AuthorizationRequest {
  readonly service: AwsApiService;
  /** The JSON-protocol operation (`X-Amz-Target` after the dot); undefined for REST-JSON services. */
  readonly operation?: string;
  readonly method: string;
  /** Path and query as received (the signature covers them). */
  readonly url: string;
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A refused call: the AWS error the server answers with. */
export interface AuthorizationRefusal {
  /** e.g. `AccessDeniedException`, `UnrecognizedClientException`. */
  readonly code: string;
  readonly message: string;
  /** The status a REST-JSON service answers with (JSON 1.1 services always answer 400). */
  readonly statusCode: number;
}

/** Decides whether a call may proceed (local IAM, local/iam/). */
export interface RequestAuthorizer {
  authorize(request: AuthorizationRequest): Promise<AuthorizationRefusal | undefined>;
}
