import * as http from 'node:http';
import * as https from 'node:https';

/**
 * One HTTP exchange for the CLI's API client, over node:http / node:https rather than fetch. Node 20's fetch
 * (undici) parses HTTP with a WebAssembly module whose background compilation the process waits for on
 * exit: a `campusg orders get` that had printed its answer after about 300 ms ended at about 550 ms
 * (issue 18). Every request closes its connection, so nothing keeps the process alive afterwards.
 */
export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly text: string;
}

export interface HttpRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

export type HttpTransport = (url: string, request: HttpRequest) => Promise<HttpAnswer>;

export const nodeHttp: HttpTransport = (url, request) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new Error(`${url}: only http and https URLs are supported`));
      return;
    }
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const req = client.request(
      target,
      {
        method: request.method,
        headers: {
          ...request.headers,
          connection: 'close',
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        agent: false,
        timeout: request.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
