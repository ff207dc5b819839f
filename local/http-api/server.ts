import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DEFAULT_HOST, DEFAULT_PORTS } from '#local/core/defaults';
import { cannotListen, closeServer, listenOn } from '#local/core/listen';
import type { InvokeResult, Invoker, LocalRoute } from '#local/core/types';
import { HttpApiStartError, JwtVerificationError } from './errors';
import { buildEvent, type HttpApiEventV2, mapResponse, newRequestId, stringifyClaim } from './event';
import type { LocalJwt } from './jwt';
import { compileRoutes, matchRoute } from './routes';

/**
 * The local API Gateway HTTP API: routes of the template, payload format 2.0 events, a JWT authorizer
 * backed by the local signing key, HTTP API's error answers (404 Not Found, 401 Unauthorized, 413, 500
 * Internal Server Error) and, when configured, its CORS handling.
 */

/** HTTP API's request payload limit. */
export const MAX_REQUEST_BODY = 10 * 1024 * 1024;

export interface LocalCors {
  /** Origins allowed, or `['*']`. */
  readonly allowOrigins: readonly string[];
  /** Default: every method. */
  readonly allowMethods?: readonly string[];
  /** Default: whatever the preflight asks for. */
  readonly allowHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly maxAgeSeconds?: number;
  readonly allowCredentials?: boolean;
}

/** One line per request, for the runtime's console. */
export interface HttpApiRequestLog {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly routeKey?: string;
  readonly statusCode: number;
  readonly durationMs: number;
  /** Why the answer is an error (unauthorized reason, function error), when it is one. */
  readonly problem?: string;
}

export interface HttpApiOptions {
  /** Default 3000. 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly routes: readonly LocalRoute[];
  readonly invoker: Invoker;
  readonly jwt: LocalJwt;
  /** `$default` (no path prefix) or a stage name that prefixes every path. Default `$default`. */
  readonly stage?: string;
  /** Default `local`. */
  readonly apiId?: string;
  /** Default 000000000000. */
  readonly accountId?: string;
  /** CORS configuration of the API; none by default (preflights are routed like any request). */
  readonly cors?: LocalCors;
  readonly onRequest?: (log: HttpApiRequestLog) => void;
}

export interface HttpApi {
  /** `http://host:port`, plus `/<stage>` for a named stage. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface Answer {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly cookies?: readonly string[];
  readonly body?: Buffer | string;
  readonly routeKey?: string;
  readonly problem?: string;
}

const message = (statusCode: number, text: string, extra: Partial<Answer> = {}): Answer => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: text }),
  ...extra,
});

class TooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        req.pause();
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!settled) {
        settled = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
  });
}

/**
 * Reads and drops the rest of a refused body so the client, still sending, gets the answer instead of a
 * reset connection; a client that keeps sending far past the limit is cut off.
 */
function discard(req: IncomingMessage): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > 4 * MAX_REQUEST_BODY) req.destroy();
  });
  req.resume();
}

function corsOriginAllowed(cors: LocalCors, origin: string | undefined): origin is string {
  return origin !== undefined && (cors.allowOrigins.includes('*') || cors.allowOrigins.includes(origin));
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const routes = compileRoutes(options.routes);
  const stage = options.stage ?? '$default';
  const stagePrefix = stage === '$default' ? '' : `/${stage}`;
  const apiId = options.apiId ?? 'local';
  const accountId = options.accountId ?? '000000000000';
  const cors = options.cors;
  let port = 0;

  /** The token of the route's identity source (default `$request.header.Authorization`). */
  function tokenOf(req: IncomingMessage, route: LocalRoute): string {
    const source = route.jwtAuthorizer?.identitySource?.[0] ?? '$request.header.Authorization';
    const headerName = /^\$request\.header\.(.+)$/.exec(source)?.[1]?.toLowerCase() ?? 'authorization';
    const header = req.headers[headerName];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) throw new JwtVerificationError(`no ${headerName} header`);
    const token = value.replace(/^Bearer\s+/i, '').trim();
    if (token === '') throw new JwtVerificationError(`the ${headerName} header has no token`);
    return token;
  }

  async function authorize(
    req: IncomingMessage,
    route: LocalRoute,
  ): Promise<HttpApiEventV2['requestContext']['authorizer']> {
    const payload = await options.jwt.verify(tokenOf(req, route));
    const claims: Record<string, string> = {};
    for (const [name, value] of Object.entries(payload)) claims[name] = stringifyClaim(value);
    const scope = payload.scope ?? payload.scp;
    const scopes =
      typeof scope === 'string'
        ? scope.split(' ').filter((s) => s !== '')
        : Array.isArray(scope)
          ? scope.map(String)
          : null;
    return { jwt: { claims, scopes } };
  }

  function preflight(req: IncomingMessage): Answer | undefined {
    if (!cors || req.method !== 'OPTIONS') return undefined;
    const origin = req.headers.origin;
    const requested = req.headers['access-control-request-method'];
    if (origin === undefined || requested === undefined) return undefined;
    if (!corsOriginAllowed(cors, origin)) return { statusCode: 204 };
    const headers: Record<string, string> = {
      'access-control-allow-origin': cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin,
      'access-control-allow-methods': (cors.allowMethods ?? ['*']).join(','),
      'access-control-allow-headers': (
        cors.allowHeaders ?? [String(req.headers['access-control-request-headers'] ?? '*')]
      ).join(','),
    };
    if (cors.maxAgeSeconds !== undefined) headers['access-control-max-age'] = String(cors.maxAgeSeconds);
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
    return { statusCode: 204, headers };
  }

  async function answer(req: IncomingMessage, requestId: string, now: Date): Promise<Answer> {
    const target = req.url ?? '/';
    if (!target.startsWith('/')) return message(400, 'Bad Request', { problem: `request target ${target}` });
    const q = target.indexOf('?');
    const rawPath = q === -1 ? target : target.slice(0, q);
    const rawQueryString = q === -1 ? '' : target.slice(q + 1);
    const method = req.method ?? 'GET';

    const pre = preflight(req);
    if (pre) return pre;

    const tooLarge = () => {
      discard(req);
      return message(413, 'Request Entity Too Large', { problem: `body over ${MAX_REQUEST_BODY} bytes` });
    };
    if (Number(req.headers['content-length']) > MAX_REQUEST_BODY) return tooLarge();

    if (stagePrefix && rawPath !== stagePrefix && !rawPath.startsWith(`${stagePrefix}/`)) {
      return message(404, 'Not Found', { problem: `no stage in ${rawPath}` });
    }
    const routePath = rawPath.slice(stagePrefix.length) || '/';
    const match = matchRoute(routes, method, routePath);
    if (!match) return message(404, 'Not Found', { problem: `no route for ${method} ${routePath}` });
    const { routeKey } = match.route;

    let authorizer: HttpApiEventV2['requestContext']['authorizer'];
    if (match.route.authorizationType === 'JWT') {
      try {
        authorizer = await authorize(req, match.route);
      } catch (err) {
        const reason = err instanceof JwtVerificationError ? err.message : String(err);
        return message(401, 'Unauthorized', {
          routeKey,
          problem: reason,
          headers: {
            'content-type': 'application/json',
            'www-authenticate': req.headers.authorization
              ? `Bearer error="invalid_token" error_description="${reason.replace(/"/g, "'")}"`
              : 'Bearer',
          },
        });
      }
    }

    const required = match.route.authorizationScopes ?? [];
    if (required.length > 0 && !required.some((scope) => authorizer?.jwt.scopes?.includes(scope))) {
      return message(403, 'Forbidden', {
        routeKey,
        problem: `the token has none of the scopes ${required.join(', ')}`,
      });
    }

    let body: Buffer;
    try {
      body = await readBody(req, MAX_REQUEST_BODY);
    } catch (err) {
      if (err instanceof TooLarge) return { ...tooLarge(), routeKey };
      throw err;
    }

    const event = buildEvent({
      method,
      rawPath,
      rawQueryString,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      localPort: port,
      httpVersion: req.httpVersion,
      routeKey,
      stage,
      pathParameters: match.pathParameters,
      authorizer: authorizer?.jwt,
      requestId,
      apiId,
      accountId,
      now,
    });
    let result: InvokeResult;
    try {
      result = await options.invoker.invoke(match.route.functionArn, event);
    } catch (err) {
      result = {
        ok: false,
        error: { errorType: 'InvokeError', errorMessage: err instanceof Error ? err.message : String(err) },
        durationMs: 0,
      };
    }
    const mapped = mapResponse(result);
    return { ...mapped, routeKey };
  }

  function send(req: IncomingMessage, res: ServerResponse, a: Answer, requestId: string): void {
    const body = a.body ?? '';
    const headers: Record<string, string | string[]> = {
      ...a.headers,
      'content-length': String(Buffer.byteLength(body)),
      'apigw-requestid': requestId,
    };
    if (a.cookies && a.cookies.length > 0) headers['set-cookie'] = [...a.cookies];
    if (cors && corsOriginAllowed(cors, req.headers.origin) && req.method !== 'OPTIONS') {
      headers['access-control-allow-origin'] =
        cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : req.headers.origin;
      if (cors.exposeHeaders) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
      if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
    }
    res.writeHead(a.statusCode, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((req, res) => {
    const requestId = newRequestId();
    const started = Date.now();
    answer(req, requestId, new Date(started))
      .catch((err: unknown) =>
        message(500, 'Internal Server Error', { problem: err instanceof Error ? err.message : String(err) }),
      )
      .then((a) => {
        send(req, res, a, requestId);
        options.onRequest?.({
          requestId,
          method: req.method ?? '',
          path: req.url ?? '',
          routeKey: a.routeKey,
          statusCode: a.statusCode,
          durationMs: Date.now() - started,
          problem: a.problem,
        });
      })
      .catch(() => res.destroy());
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  const host = options.host ?? DEFAULT_HOST;
  const wanted = options.port ?? DEFAULT_PORTS.http;
  const bound = await listenOn(
    server,
    wanted,
    host,
    (err) => new HttpApiStartError(cannotListen('the HTTP API', host, wanted, err), { cause: err }),
  );
  port = bound.port;

  let stopping: Promise<void> | undefined;
  return {
    url: `${bound.url}${stagePrefix}`,
    port,
    stop() {
      stopping ??= closeServer(server);
      return stopping;
    },
  };
}
