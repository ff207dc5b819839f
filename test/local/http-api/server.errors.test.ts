/**
 * Pins every row of docs/api.md's two error tables (issue 18, item 3) to a real request: the local HTTP API
 * (the gateway, as `npm start` runs it) in front of the real order and notification handlers on dynalite.
 * The rows are read from the doc, so a row without a request here, a request without a row, or a row the
 * answer contradicts fails this test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { makeHandler as makeNotificationHandler } from '#functions/notification/api';
import { makeHandler as makeOrderHandler } from '#functions/order/api';
import type { InvokeResult, Invoker, LocalRoute } from '#local/core/types';
import { type HttpApi, LocalJwt, startHttpApi } from '#local/http-api/index';
import { EntityStore } from '#shared/db/entity-store';
import { DynamoIdempotencyKeys } from '#shared/db/idempotency-keys';
import { DynamoNotificationStore } from '#shared/db/notification-store';
import type { OrderState } from '#shared/domain/order/order';
import type { HttpEvent, HttpResult } from '#shared/http/api';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { silentLogger } from '#test/support/events';
import { NOTIFICATION_API, ORDER_API, rawRequest } from '#test/support/http-api';
import { MemoryPublisher } from '#test/support/memory-publisher';

const DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');

/** The body rows of the first markdown table after `heading`, split into cells. */
function tableAfter(heading: string): string[][] {
  const from = DOC.indexOf(heading);
  if (from < 0) throw new Error(`docs/api.md has no "${heading}"`);
  const lines = DOC.slice(from).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');
const GATEWAY_ROWS = tableAfter('### From the gateway').map(([status, body]) => ({
  status: Number(status),
  body: JSON.parse(unquote(body!)) as unknown,
}));
const HANDLER_ROWS = tableAfter('### From the handlers').map(([status, code, , details]) => ({
  status: Number(status),
  code: unquote(code!),
  // the first JSON example in the cell; "…" stands for any text
  details: JSON.parse(/`(\[.*?\])`/.exec(details!)![1]!.replace(/"…"/g, '"<any>"')) as unknown,
}));
/** Routes as the doc's route table lists them (query strings dropped). */
const ROUTES: LocalRoute[] = tableAfter('## Routes').map(([route]) => {
  const routeKey = unquote(route!).replace(/\?.*$/, '');
  return {
    routeKey,
    functionArn: routeKey.includes('/notifications') ? NOTIFICATION_API : ORDER_API,
    authorizationType: 'JWT',
  };
});

/** The doc's example with every "<any>" string turned into "any string". */
function matcher(example: unknown): unknown {
  if (example === '<any>') return expect.any(String);
  if (Array.isArray(example)) return example.map(matcher);
  if (example && typeof example === 'object')
    return Object.fromEntries(Object.entries(example).map(([k, v]) => [k, matcher(v)]));
  return example;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any;
}

const ORDER = {
  items: [{ name: 'Iced latte', quantity: 2, unitPriceCents: 450 }],
  deliveryLocation: 'Library L2',
  paymentMethod: 'tok_visa',
};
const UNKNOWN_ORDER = 'ord_00000000000000000000';

describe('docs/api.md error tables, against the local HTTP API and the real handlers', () => {
  let stateDir: string;
  let dynamo: Dynamo;
  let api: HttpApi;
  let failingApi: HttpApi;
  const publisher = new MemoryPublisher('order');
  const tokens: Record<'customer' | 'runner' | 'noSub', string> = { customer: '', runner: '', noSub: '' };

  /** A request to `target` (the working API unless given) as `who`; the JSON body parsed. */
  async function send(
    method: string,
    path: string,
    options: {
      as?: keyof typeof tokens | null;
      body?: string | object;
      headers?: Record<string, string>;
    } = {},
    target: HttpApi = api,
  ): Promise<Answer> {
    const who = options.as === undefined ? 'customer' : options.as;
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    const res = await rawRequest(target.url, {
      method,
      path,
      headers: {
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body,
    });
    return { status: res.status, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
  }

  /** Requests that must each produce the row's answer; keyed by status (gateway) or status + code. */
  const GATEWAY_CASES: Record<number, () => Promise<Answer[]>> = {
    401: async () => [
      await send('POST', '/orders', { as: null, body: ORDER }),
      await send('GET', `/orders/${UNKNOWN_ORDER}`, {
        as: null,
        headers: { authorization: 'Bearer not.a.jwt' },
      }),
    ],
    404: async () => [
      await send('GET', '/no/such/route'),
      await send('DELETE', `/orders/${UNKNOWN_ORDER}`),
      await send('PUT', '/orders', { body: ORDER }),
    ],
    413: async () => {
      const res = await rawRequest(api.url, {
        method: 'POST',
        path: '/orders',
        headers: {
          authorization: `Bearer ${tokens.customer}`,
          'content-type': 'application/json',
          'content-length': String(10 * 1024 * 1024 + 1),
          // the body it announces never comes, so this connection cannot carry another request
          connection: 'close',
        },
      });
      return [{ status: res.status, headers: res.headers, body: JSON.parse(res.body) }];
    },
    500: async () => [await send('GET', `/orders/${UNKNOWN_ORDER}`, {}, failingApi)],
  };

  const HANDLER_CASES: Record<string, () => Promise<Answer[]>> = {
    '400 VALIDATION_FAILED': async () => [
      await send('POST', '/orders', {
        body: { ...ORDER, items: [{ name: 'Iced latte', quantity: 0, unitPriceCents: 450 }] },
      }),
    ],
    '401 UNAUTHORIZED': async () => [await send('POST', '/orders', { as: 'noSub', body: ORDER })],
    '403 FORBIDDEN': async () => [
      await send('POST', '/orders', { as: 'runner', body: ORDER }),
      await send('GET', '/users/someone-else/notifications'),
    ],
    '404 NOT_FOUND': async () => [await send('GET', `/orders/${UNKNOWN_ORDER}`)],
    '409 INVALID_TRANSITION': async () => {
      const created = await send('POST', '/orders', { body: ORDER });
      expect(created.body.status).toBe('CREATED');
      return [await send('POST', `/orders/${created.body.orderId}/accept`, { as: 'runner' })];
    },
    '409 CONFLICT': async () => {
      const headers = { 'idempotency-key': 'api-errors-conflict' };
      expect((await send('POST', '/orders', { body: ORDER, headers })).status).toBe(201);
      return [await send('POST', '/orders', { body: { ...ORDER, deliveryLocation: 'Gym' }, headers })];
    },
    '413 PAYLOAD_TOO_LARGE': async () => [
      await send('POST', '/orders', { body: { ...ORDER, deliveryLocation: 'x'.repeat(70 * 1024) } }),
    ],
    '503 UNAVAILABLE': async () => {
      publisher.failNext();
      const res = await send('POST', '/orders', { body: ORDER });
      expect(res.headers['retry-after']).toBe('1');
      return [res];
    },
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'campusg-api-errors-'));
    dynamo = await startDynamo();
    const jwt = await LocalJwt.load(stateDir);
    tokens.customer = await jwt.issueToken({ sub: 'cust-errors', groups: ['customers'] });
    tokens.runner = await jwt.issueToken({ sub: 'runner-errors', groups: ['runners'] });
    // a token the gateway accepts (our key, issuer, audience) that names no user
    const keyFile = JSON.parse(readFileSync(jwt.keyPath, 'utf8'));
    tokens.noSub = await new SignJWT({ 'cognito:groups': ['customers'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('campusg-local')
      .setAudience('campusg')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(await importJWK(keyFile.privateJwk, 'ES256'));

    const orderHandler = makeOrderHandler({
      idempotencyKeys: new DynamoIdempotencyKeys(dynamo.client, () => TABLES.ORDERS_TABLE),
      orders: new EntityStore<OrderState>(dynamo.client, () => TABLES.ORDERS_TABLE, 'ORDER'),
      publisher,
      logger: silentLogger(),
    });
    const notificationHandler = makeNotificationHandler({
      notifications: new DynamoNotificationStore(dynamo.client, () => TABLES.NOTIFICATIONS_TABLE),
      logger: silentLogger(),
    });
    // The functions, invoked in this process; what crosses is JSON, as between Lambda and the gateway.
    const invoker: Invoker = {
      async invoke(functionArn, event): Promise<InvokeResult> {
        const handler = functionArn === NOTIFICATION_API ? notificationHandler : orderHandler;
        const result: HttpResult = await handler(event as HttpEvent);
        return { ok: true, payload: JSON.parse(JSON.stringify(result)), durationMs: 1 };
      },
    };
    // A function that fails as Lambda reports it (here: a timeout), for the gateway's 500.
    const failing: Invoker = {
      async invoke(): Promise<InvokeResult> {
        return {
          ok: false,
          error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 10.00 seconds' },
          durationMs: 10_000,
        };
      },
    };
    api = await startHttpApi({ port: 0, routes: ROUTES, invoker, jwt });
    failingApi = await startHttpApi({ port: 0, routes: ROUTES, invoker: failing, jwt });
  });

  afterAll(async () => {
    await api?.stop();
    await failingApi?.stop();
    await dynamo?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('reads both tables and the routes from the doc', () => {
    expect(ROUTES.map((r) => r.routeKey)).toContain('POST /orders/{id}/accept');
    expect(GATEWAY_ROWS.map((r) => r.status)).toEqual(Object.keys(GATEWAY_CASES).map(Number));
    expect(HANDLER_ROWS.map((r) => `${r.status} ${r.code}`)).toEqual(Object.keys(HANDLER_CASES));
  });

  it.each(GATEWAY_ROWS.map((r) => [r.status, r]))(
    'gateway row %i: status and body as documented',
    async (_s, row) => {
      const answers = await GATEWAY_CASES[row.status]!();
      for (const answer of answers) expect({ status: answer.status, body: answer.body }).toEqual(row);
    },
  );

  it.each(HANDLER_ROWS.map((r) => [`${r.status} ${r.code}`, r]))(
    'handler row %s: status, error code and details as documented',
    async (key, row) => {
      const answers = await HANDLER_CASES[key]!();
      for (const answer of answers) {
        expect(answer.status).toBe(row.status);
        expect(answer.body).toEqual({
          error: row.code,
          message: expect.any(String),
          details: matcher(row.details),
        });
      }
    },
  );
});
