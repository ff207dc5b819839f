/**
 * The IAM check in front of DynamoDB: an HTTP proxy that reads each request's `X-Amz-Target` and body,
 * asks the guard (caller from the SigV4 signature, action and table/index ARNs from actions.ts), and
 * either forwards the request untouched to dynalite (or an external endpoint) or answers with DynamoDB's
 * own AccessDeniedException.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { DEFAULT_HOST } from '#local/core/defaults';
import { closeServer, listenOn } from '#local/core/listen';
import { errorReply } from './access-denied';
import { type ArnContext, dynamoDbChecks } from './actions';
import { IamError } from './errors';
import type { IamGuard } from './guard';

/** DynamoDB refuses requests over 16 MB; the proxy inspects up to that and refuses larger ones itself. */
const MAX_INSPECTED_BODY = 16 * 1024 * 1024;
const TARGET_PREFIX = 'DynamoDB_20120810.';

export interface DynamoDbProxyOptions {
  /** The real endpoint (dynalite, DynamoDB Local), `http(s)://host:port`. */
  readonly target: string;
  readonly guard: IamGuard;
  readonly arns: ArnContext;
  readonly host?: string;
  /** 0 (default) = any free port. */
  readonly port?: number;
}

export interface DynamoDbProxy {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Reads a request body; undefined when it is over `limit` (the rest is drained, not kept). */
function readAll(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

export async function startDynamoDbProxy(options: DynamoDbProxyOptions): Promise<DynamoDbProxy> {
  const target = new URL(options.target);
  const client = target.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: 64 });

  async function authorize(req: http.IncomingMessage, body: Buffer): Promise<void> {
    const caller = await options.guard.identify({
      method: req.method ?? 'POST',
      url: req.url ?? '/',
      headers: req.headers,
      body,
    });
    if (caller.kind !== 'function') return;
    const targetHeader = req.headers['x-amz-target'];
    const operation =
      typeof targetHeader === 'string' && targetHeader.startsWith(TARGET_PREFIX)
        ? targetHeader.slice(TARGET_PREFIX.length)
        : undefined;
    if (!operation) return; // not a DynamoDB operation: dynalite answers it with its own error
    let parsed: Record<string, unknown> = {};
    if (body.length <= MAX_INSPECTED_BODY) {
      try {
        const value = JSON.parse(body.toString('utf8') || '{}') as unknown;
        if (value && typeof value === 'object' && !Array.isArray(value))
          parsed = value as Record<string, unknown>;
      } catch {
        // malformed JSON: dynalite answers it with SerializationException
      }
    }
    await options.guard.check(caller, dynamoDbChecks(operation, parsed, options.arns));
  }

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const upstream = client.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: req.headers.host ?? target.host },
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const text = JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: `the local DynamoDB at ${options.target} did not answer: ${err.message}`,
      });
      res.writeHead(500, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    });
    upstream.end(body);
  }

  const server = http.createServer((req, res) => {
    readAll(req, MAX_INSPECTED_BODY)
      .then(async (body) => {
        if (!body) {
          const text = JSON.stringify({
            __type: 'com.amazon.coral.validate#ValidationException',
            message: `the request body is over DynamoDB's ${MAX_INSPECTED_BODY}-byte limit`,
          });
          res.writeHead(413, {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(text),
          });
          res.end(text);
          return;
        }
        try {
          await authorize(req, body);
        } catch (err) {
          if (!(err instanceof IamError)) throw err;
          const reply = errorReply(err, 'json-1.0', randomUUID());
          res.writeHead(reply.statusCode, {
            ...reply.headers,
            'content-length': Buffer.byteLength(reply.body),
          });
          res.end(reply.body);
          return;
        }
        forward(req, res, body);
      })
      .catch((err: unknown) => {
        if (res.headersSent) return res.destroy();
        const text = JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
          message: `the local IAM check failed: ${err instanceof Error ? err.message : String(err)}`,
        });
        res.writeHead(500, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  const host = options.host ?? DEFAULT_HOST;
  const { url } = await listenOn(server, options.port ?? 0, host);
  return {
    endpoint: url,
    stop: async () => {
      const closed = closeServer(server);
      agent.destroy();
      await closed;
    },
  };
}
