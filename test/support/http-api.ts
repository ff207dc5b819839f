import { request } from 'node:http';
import type { InvokeResult, Invoker } from '#local/core/types';

export interface Received {
  readonly functionRef: string;
  readonly event: Record<string, any>;
}

/** Records every event and answers with `respond` (default: 200 with a small JSON body). */
export class RecordingInvoker implements Invoker {
  readonly received: Received[] = [];
  constructor(
    public respond: (
      functionRef: string,
      event: Record<string, any>,
    ) => InvokeResult | Promise<InvokeResult> = () => ({
      ok: true,
      payload: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' },
      durationMs: 1,
    }),
  ) {}

  async invoke(functionRef: string, event: unknown): Promise<InvokeResult> {
    this.received.push({ functionRef, event: event as Record<string, any> });
    return this.respond(functionRef, event as Record<string, any>);
  }

  get last(): Received {
    const last = this.received[this.received.length - 1];
    if (!last) throw new Error('the invoker received nothing');
    return last;
  }
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request through node:http, for what fetch cannot send (repeated headers, a declared oversize body). */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | string[]>;
    body?: Buffer | string;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request(
      { hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export const ORDER_API = 'arn:aws:lambda:us-east-1:000000000000:function:OrderApiFunction';
export const NOTIFICATION_API = 'arn:aws:lambda:us-east-1:000000000000:function:NotificationApiFunction';
