import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { Caller, Role } from '#shared/domain/caller';
import {
  CampusGError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '#shared/errors';
import type { Logger } from '#shared/logging';

/** An HTTP API (payload 2.0) event, with the JWT authorizer's claims when a route has an authorizer. */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null } };
  };
};
export type HttpResult = APIGatewayProxyResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

export type { Caller, Role };

/** Largest request body the API accepts, bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** The error body of every API: `{ error, message, details }`. */
export function errorBody(error: string, message: string, details: readonly unknown[] = []) {
  return { error, message, details };
}

/**
 * The caller from the JWT authorizer's claims: `sub` is the user, `cognito:groups` the roles. API Gateway
 * passes a list claim as a string such as `[customers runners]` or `customers`; a real array is accepted too.
 */
export function callerOf(event: HttpEvent): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '') {
    throw new UnauthorizedError('no authenticated caller: send a bearer token whose claims include sub');
  }
  // JWT_ROLES_CLAIM (set by infra/constructs/order-api.ts): the configured issuer's roles claim.
  const raw = claims?.[process.env.JWT_ROLES_CLAIM || 'cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];
  const roles = new Set<Role>();
  for (const g of groups) if (g === 'customers' || g === 'runners') roles.add(g);
  return { userId: sub, roles };
}

export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The JSON body validated against a schema; 413 when too large, 400 naming each bad field otherwise. */
export function parseBody<T extends z.ZodType>(event: HttpEvent, schema: T): z.infer<T> {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`request body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ValidationError('request body must be a JSON object', [
      { path: '', message: 'is not valid JSON' },
    ]);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    throw new ValidationError(
      `invalid request: ${issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join('; ')}`,
      issues,
    );
  }
  return result.data;
}

/** Maps an error to its HTTP answer; unknown errors are a 500 that never leaks internals. */
export function errorResponse(error: unknown, logger?: Logger): HttpResult {
  if (error instanceof ValidationError)
    return json(400, errorBody('VALIDATION_FAILED', error.message, error.issues));
  if (error instanceof UnauthorizedError) return json(401, errorBody('UNAUTHORIZED', error.message));
  if (error instanceof ForbiddenError) return json(403, errorBody('FORBIDDEN', error.message));
  if (error instanceof NotFoundError) return json(404, errorBody('NOT_FOUND', error.message));
  if (error instanceof PayloadTooLargeError) return json(413, errorBody('PAYLOAD_TOO_LARGE', error.message));
  if (error instanceof ConflictError) {
    const code = error.name === 'TransitionError' ? 'INVALID_TRANSITION' : 'CONFLICT';
    return json(409, errorBody(code, error.message, error.details));
  }
  const retriable = error instanceof CampusGError ? error.retriable : true;
  logger?.error('request failed', { error: error as Error });
  return json(
    retriable ? 503 : 500,
    errorBody(
      retriable ? 'UNAVAILABLE' : 'INTERNAL',
      retriable ? 'temporarily unavailable; retry' : 'internal error',
    ),
    retriable ? { 'retry-after': '1' } : {},
  );
}

export interface Route {
  readonly method: string;
  /** Path pattern with `{name}` parameters, e.g. `/orders/{id}/accept`. */
  readonly path: string;
  readonly handle: (event: HttpEvent, params: Record<string, string>) => Promise<HttpResult>;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/').filter(Boolean);
  const a = path.split('/').filter(Boolean);
  if (p.length !== a.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) params[seg.slice(1, -1)] = decodeURIComponent(a[i]!);
    else if (seg !== a[i]) return undefined;
  }
  return params;
}

/**
 * Routes on the method and the raw path (so it works behind `$default` routes as well as named ones); the
 * stage prefix, if any, is stripped. 404 for an unknown path, 405 for a known path with another method.
 */
export async function route(
  event: HttpEvent,
  routes: readonly Route[],
  logger?: Logger,
): Promise<HttpResult> {
  const method = event.requestContext.http.method.toUpperCase();
  const stage = event.requestContext.stage;
  let path = event.rawPath ?? event.requestContext.http.path;
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
  let pathKnown = false;
  for (const r of routes) {
    const params = matchPath(r.path, path);
    if (!params) continue;
    pathKnown = true;
    if (r.method !== method) continue;
    try {
      return await r.handle(event, params);
    } catch (error) {
      return errorResponse(error, logger);
    }
  }
  return pathKnown
    ? json(405, errorBody('METHOD_NOT_ALLOWED', `${method} is not supported on ${path}`))
    : json(404, errorBody('NOT_FOUND', `no route for ${method} ${path}`));
}
