/**
 * The web console's HTTP server, run inside the local runtime process (local/runtime/runtime.ts) on a port of
 * its own: the JSON API (api.ts), two server-sent event feeds (`/api/stream`: saga events and new dead
 * letters; `/api/logs/stream`: log lines, filtered like `/api/logs`), and the UI's static files from
 * dist/console (built by build.js; built here on demand when missing or older than its sources). It only
 * binds to the runtime's host (127.0.0.1 by default): the console can place orders and re-drive records.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import type { MappingView } from '#local/core/types';
import { orderIdOf, summarize } from '#local/inspect/saga';
import type { LocalAppModel, LogStore } from '../core/types';
import type { LocalJwt } from '../http-api/jwt';
import { check, HttpError, LogsStreamQuery, routes } from './api';
import { DEFAULT_CONSOLE_PORT } from './defaults';
import { ConsoleLogs, matches } from './logs';
import { Marks } from './marks';
import { ConsoleStore } from './store';

export interface ConsoleOptions {
  /** Default 3100; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Project root: the UI is served from `<root>/dist/console`, built from `<root>/local/console/ui`. */
  readonly root: string;
  readonly model: LocalAppModel;
  readonly endpoints: { readonly http: string; readonly aws: string; readonly kafka: string };
  readonly logStore: LogStore;
  readonly mappings: readonly MappingView[];
  readonly jwt: LocalJwt;
  /** Dead-letter marks (discarded, re-driven) are kept here when given. */
  readonly dataDir?: string;
  readonly onError?: (message: string) => void;
}

export interface Console {
  readonly url: string;
  readonly port: number;
  readonly store: ConsoleStore;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * Builds the UI when dist/console is missing or older than a source (build.js decides) and returns where it
 * is. The project is found from this file (local/console/ under tsx, dist/cli/ in the compiled CLI), so a
 * runtime started from another directory still finds it; `root` is the fallback.
 */
function ensureUi(root: string): string {
  const projects = [path.resolve(__dirname, '..', '..'), root];
  const project = projects.find((p) => fs.existsSync(path.join(p, 'local', 'console', 'build.js')));
  if (!project)
    throw new Error(
      `cannot find the console's UI sources (local/console/build.js) under ${projects.join(' or ')}; run the runtime from the project's directory`,
    );
  // build.js is plain CommonJS so that `npm ci` can run it before anything is compiled.
  const build = require(path.join(project, 'local', 'console', 'build.js')) as {
    buildIfStale: (o: { quiet: boolean }) => void;
  };
  build.buildIfStale({ quiet: true });
  return path.join(project, 'dist', 'console');
}

export async function startConsole(options: ConsoleOptions): Promise<Console> {
  const host = options.host ?? '127.0.0.1';
  const dist = ensureUi(options.root);
  const brokers = options.endpoints.kafka.split(',');
  const store = new ConsoleStore({
    brokers,
    topics: options.model.topics.map((t) => t.name).filter((t) => t !== 'system-logs'),
    onError: options.onError,
  });
  await store.start();
  const logs = new ConsoleLogs(options.logStore, options.model.functions);
  const kafka = new Kafka({ clientId: 'campusg-console-admin', brokers, logLevel: logLevel.NOTHING });
  let admin: Promise<Admin> | undefined;
  let producer: Promise<Producer> | undefined;
  const lazyAdmin = () =>
    (admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })().catch((err) => {
      admin = undefined;
      throw err;
    }));
  const lazyProducer = () =>
    (producer ??= (async () => {
      const p = kafka.producer({ allowAutoTopicCreation: false });
      await p.connect();
      return p;
    })().catch((err) => {
      producer = undefined;
      throw err;
    }));

  const table = routes({
    store,
    logs,
    model: options.model,
    endpoints: options.endpoints,
    mappings: options.mappings,
    jwt: options.jwt,
    admin: lazyAdmin,
    producer: lazyProducer,
    marks: Marks.forDataDir(options.dataDir),
  });
  const streams = new Set<http.ServerResponse>();

  function openStream(res: http.ServerResponse): (event: string, data: unknown) => void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(': console stream\n\n');
    streams.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(ping);
      streams.delete(res);
    });
    return (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const method = req.method ?? 'GET';

    if (method === 'GET' && url.pathname === '/api/stream') {
      const send = openStream(res);
      const off = store.subscribe((e) => {
        if (e.kind === 'saga')
          send('saga', {
            orderId: orderIdOf(e.event),
            type: e.event.type,
            topic: e.event.topic,
            source: e.event.source,
            time: new Date(e.event.time).toISOString(),
            summary: summarize(e.event),
          });
        else send('dead-letter', { id: e.deadLetter.id, reason: e.deadLetter.reason });
      });
      res.on('close', off);
      return;
    }
    if (method === 'GET' && url.pathname === '/api/logs/stream') {
      const q = check(LogsStreamQuery, Object.fromEntries(url.searchParams.entries()), 'query');
      const send = openStream(res);
      for (const line of logs.query({ ...q, limit: q.limit ?? 200 })) send('line', line);
      const off = logs.onLine((line) => {
        if (matches(line, q)) send('line', line);
      });
      res.on('close', off);
      return;
    }

    if (url.pathname.startsWith('/api/')) {
      for (const r of table) {
        if (r.method !== method) continue;
        const m = r.pattern.exec(url.pathname);
        if (!m) continue;
        const params: Record<string, string> = {};
        r.keys.forEach((k, i) => {
          params[k] = decodeURIComponent(m[i + 1]!);
        });
        const body = await r.handle(req, res, params, url.searchParams);
        const text = JSON.stringify(body ?? {});
        res.writeHead(res.statusCode || 200, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        });
        res.end(text);
        return;
      }
      throw new HttpError(404, 'NotFound', `${method} ${url.pathname} is not a console endpoint`);
    }

    if (method !== 'GET' && method !== 'HEAD')
      throw new HttpError(405, 'MethodNotAllowed', `${method} ${url.pathname}`);
    // Static files; every other path is the single-page app (client-side routes like /orders/42).
    const rel = path.normalize(url.pathname).replace(/^([/\\])+/, '');
    let file = path.join(dist, rel);
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory())
      file = path.join(dist, 'index.html');
    const content = fs.readFileSync(file);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': String(content.length),
      'cache-control': 'no-cache',
    });
    res.end(method === 'HEAD' ? undefined : content);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e =
        err instanceof HttpError
          ? err
          : new HttpError(500, 'InternalError', err instanceof Error ? err.message : String(err));
      if (!(err instanceof HttpError)) options.onError?.(`console: ${req.method} ${req.url}: ${e.message}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      res.writeHead(e.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: e.code, message: e.message, details: e.details }));
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? DEFAULT_CONSOLE_PORT, host, exclusive: true }, () => resolve());
    });
  } catch (err) {
    await store.stop();
    logs.stop();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    port,
    store,
    async stop() {
      for (const s of streams) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      logs.stop();
      await store.stop();
      if (admin) await (await admin.catch(() => undefined))?.disconnect().catch(() => undefined);
      if (producer) await (await producer.catch(() => undefined))?.disconnect().catch(() => undefined);
    },
  };
}
