import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import type { LocalRoute } from '#local/core/types';
import { type HttpApi, type HttpApiOptions, LocalJwt, startHttpApi } from '#local/http-api/index';
import { NOTIFICATION_API, ORDER_API, RecordingInvoker, rawRequest } from '#test/support/http-api';

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/aws-events/http-api-v2-post-orders.json'), 'utf8'),
);

const ROUTES: LocalRoute[] = [
  { routeKey: 'POST /orders', functionArn: ORDER_API, authorizationType: 'JWT' },
  { routeKey: 'GET /orders/{id}', functionArn: ORDER_API, authorizationType: 'JWT' },
  { routeKey: 'POST /orders/{id}/accept', functionArn: ORDER_API, authorizationType: 'JWT' },
  { routeKey: 'GET /users/{id}/notifications', functionArn: NOTIFICATION_API, authorizationType: 'JWT' },
  { routeKey: 'GET /public/health', functionArn: NOTIFICATION_API, authorizationType: 'NONE' },
  { routeKey: 'ANY /files/{proxy+}', functionArn: NOTIFICATION_API, authorizationType: 'NONE' },
];

describe('local HTTP API', () => {
  let stateDir: string;
  let jwt: LocalJwt;
  let customerToken: string;
  const servers: HttpApi[] = [];

  async function start(invoker: RecordingInvoker, options: Partial<HttpApiOptions> = {}): Promise<HttpApi> {
    const api = await startHttpApi({ port: 0, routes: ROUTES, invoker, jwt, ...options });
    servers.push(api);
    return api;
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'campusg-http-api-'));
    jwt = await LocalJwt.load(stateDir);
    customerToken = await jwt.issueToken({ sub: 'cust-1', groups: ['customers'] });
  });

  afterEach(async () => {
    for (const api of servers.splice(0)) await api.stop();
  });

  afterAll(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('builds a payload 2.0 event with the shape of the AWS fixture', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker);
    const body = fixture.body as string;
    const res = await fetch(`${api.url}/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${customerToken}`,
        'content-type': 'application/json',
        'idempotency-key': '9b2f6c1e-1',
        'user-agent': 'curl/8.5.0',
      },
      body,
    });
    expect(res.status).toBe(200);
    const { functionRef, event } = invoker.last;
    expect(functionRef).toBe(ORDER_API);
    expect(Object.keys(event).sort()).toEqual(Object.keys(fixture).sort());
    expect(Object.keys(event.requestContext).sort()).toEqual(Object.keys(fixture.requestContext).sort());
    expect(Object.keys(event.requestContext.http).sort()).toEqual(
      Object.keys(fixture.requestContext.http).sort(),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /orders',
      rawPath: '/orders',
      rawQueryString: '',
      body,
      isBase64Encoded: false,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': '9b2f6c1e-1',
        authorization: `Bearer ${customerToken}`,
        'x-forwarded-proto': 'http',
      },
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: `127.0.0.1:${api.port}`,
        domainPrefix: '127',
        http: {
          method: 'POST',
          path: '/orders',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8.5.0',
        },
        routeKey: 'POST /orders',
        stage: '$default',
        authorizer: {
          jwt: {
            claims: { sub: 'cust-1', 'cognito:groups': '[customers]', iss: 'campusg-local', aud: 'campusg' },
            scopes: null,
          },
        },
      },
    });
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof event.requestContext.timeEpoch).toBe('number');
    expect(event.requestContext.requestId).toBe(res.headers.get('apigw-requestid'));
    expect(typeof event.requestContext.authorizer.jwt.claims.exp).toBe('string');
  });

  it('passes path parameters, query parameters, cookies and repeated headers as HTTP API does', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker);
    const res = await rawRequest(api.url, {
      path: '/orders/ord%2042?expand=history&tag=a&tag=b&q=x+y',
      headers: {
        authorization: `Bearer ${customerToken}`,
        'x-multi': ['one', 'two'],
        cookie: ['session=abc; theme=dark', 'extra=1'],
      },
    });
    expect(res.status).toBe(200);
    const { event } = invoker.last;
    expect(event.routeKey).toBe('GET /orders/{id}');
    expect(event.rawPath).toBe('/orders/ord%2042');
    expect(event.rawQueryString).toBe('expand=history&tag=a&tag=b&q=x+y');
    expect(event.pathParameters).toEqual({ id: 'ord 42' });
    expect(event.queryStringParameters).toEqual({ expand: 'history', tag: 'a,b', q: 'x y' });
    expect(event.cookies).toEqual(['session=abc', 'theme=dark', 'extra=1']);
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.body).toBeUndefined();
  });

  it('routes greedy paths and prefers the most specific route', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker, {
      routes: [
        ...ROUTES,
        { routeKey: 'GET /files/special', functionArn: ORDER_API, authorizationType: 'NONE' },
        {
          routeKey: '$default',
          functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Fallback',
          authorizationType: 'NONE',
        },
      ],
    });
    await fetch(`${api.url}/files/a/b/c.txt`, { method: 'DELETE' });
    expect(invoker.last.event.routeKey).toBe('ANY /files/{proxy+}');
    expect(invoker.last.event.pathParameters).toEqual({ proxy: 'a/b/c.txt' });
    await fetch(`${api.url}/files/special`);
    expect(invoker.last.event.routeKey).toBe('GET /files/special');
    await fetch(`${api.url}/elsewhere`);
    expect(invoker.last.event.routeKey).toBe('$default');
    expect(invoker.last.functionRef).toMatch(/Fallback$/);
  });

  it('answers 404 Not Found when no route matches', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker);
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['DELETE', '/orders'],
      ['GET', '/orders/1/extra/segments'],
    ] as const) {
      const res = await fetch(`${api.url}${path}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
    expect(invoker.received).toHaveLength(0);
  });

  it('answers 401 Unauthorized for a missing, foreign, garbled or expired token', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker);
    const otherDir = mkdtempSync(join(tmpdir(), 'campusg-other-key-'));
    try {
      const foreign = await (await LocalJwt.load(otherDir)).issueToken({
        sub: 'cust-1',
        groups: ['customers'],
      });
      const keyFile = JSON.parse(readFileSync(jwt.keyPath, 'utf8'));
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ 'cognito:groups': ['customers'] })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('campusg-local')
        .setAudience('campusg')
        .setSubject('cust-1')
        .setIssuedAt(now - 7200)
        .setExpirationTime(now - 3600)
        .sign(await importJWK(keyFile.privateJwk, 'ES256'));

      const cases: [Record<string, string>, string | null][] = [
        [{}, 'Bearer'],
        [{ authorization: 'Bearer ' }, 'invalid_token'],
        [{ authorization: 'Bearer not.a.jwt' }, 'invalid_token'],
        [{ authorization: `Bearer ${foreign}` }, 'signature'],
        [{ authorization: `Bearer ${expired}` }, 'expired'],
      ];
      for (const [headers, challenge] of cases) {
        const res = await fetch(`${api.url}/orders/1`, { headers });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ message: 'Unauthorized' });
        expect(res.headers.get('www-authenticate')).toContain(challenge);
      }
      expect(invoker.received).toHaveLength(0);
      const ok = await fetch(`${api.url}/orders/1`, { headers: { authorization: customerToken } });
      expect(ok.status).toBe(200);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('lets routes without an authorizer through without a token', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker);
    const res = await fetch(`${api.url}/public/health`);
    expect(res.status).toBe(200);
    expect(invoker.last.event.requestContext.authorizer).toBeUndefined();
  });

  it('answers 403 Forbidden when the token lacks every scope the route requires', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker, {
      routes: [{ ...ROUTES[1]!, authorizationScopes: ['orders/read'] }],
    });
    const denied = await fetch(`${api.url}/orders/1`, {
      headers: { authorization: `Bearer ${customerToken}` },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Forbidden' });
    const scoped = await jwt.issueToken({
      sub: 'cust-1',
      groups: ['customers'],
      claims: { scope: 'orders/read openid' },
    });
    const allowed = await fetch(`${api.url}/orders/1`, { headers: { authorization: `Bearer ${scoped}` } });
    expect(allowed.status).toBe(200);
    expect(invoker.last.event.requestContext.authorizer.jwt.scopes).toEqual(['orders/read', 'openid']);
  });

  it('answers 413 for a body over 10 MB without invoking the function', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker);
    const res = await rawRequest(api.url, {
      method: 'POST',
      path: '/public/health',
      headers: { 'content-length': String(10 * 1024 * 1024 + 1), 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ message: 'Request Entity Too Large' });
    expect(invoker.received).toHaveLength(0);
  });

  it('answers 413 to a streamed body that grows over 10 MB, and the client reads the answer', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker);
    const { hostname, port } = new URL(api.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          hostname,
          port,
          method: 'PUT',
          path: '/files/big.bin',
          headers: { 'content-type': 'application/octet-stream' },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 7);
      let sent = 0;
      const pump = () => {
        while (sent < 11) {
          sent += 1;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(answer).toBe('413 {"message":"Request Entity Too Large"}');
    expect(invoker.received).toHaveLength(0);
  });

  it('base64-encodes binary bodies', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker);
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await fetch(`${api.url}/files/blob.bin`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(invoker.last.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(invoker.last.event.body, 'base64')).toEqual(bytes);
  });

  it('maps a structured response: status, headers, cookies and a base64 body', async () => {
    const invoker = new RecordingInvoker(() => ({
      ok: true,
      payload: {
        statusCode: 201,
        headers: { Location: '/orders/o-1', 'content-type': 'text/plain' },
        cookies: ['a=1; Path=/', 'b=2'],
        body: Buffer.from('created').toString('base64'),
        isBase64Encoded: true,
      },
      durationMs: 1,
    }));
    const api = await start(invoker);
    const res = await rawRequest(api.url, { path: '/public/health' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/orders/o-1');
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
    expect(res.body).toBe('created');
  });

  it('maps a bare returned value to 200 application/json', async () => {
    const invoker = new RecordingInvoker(() => ({ ok: true, payload: { orders: [1, 2] }, durationMs: 1 }));
    const api = await start(invoker);
    const res = await fetch(`${api.url}/public/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ orders: [1, 2] });
  });

  it.each([
    [
      'a function error',
      { ok: false as const, error: { errorType: 'Error', errorMessage: 'boom' }, durationMs: 1 },
    ],
    ['an invalid statusCode', { ok: true as const, payload: { statusCode: 'two hundred' }, durationMs: 1 }],
  ])('answers %s with 500 Internal Server Error', async (_what, result) => {
    const problems: (string | undefined)[] = [];
    const api = await start(new RecordingInvoker(() => result), {
      onRequest: (log) => problems.push(log.problem),
    });
    const res = await fetch(`${api.url}/public/health`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal Server Error' });
    expect(problems[0]).toBeTruthy();
  });

  it('answers 500 when the invoker itself throws, and keeps serving', async () => {
    let calls = 0;
    const invoker = new RecordingInvoker(() => {
      calls += 1;
      if (calls === 1) throw new Error('worker crashed');
      return { ok: true, payload: 'fine', durationMs: 1 };
    });
    const api = await start(invoker);
    expect((await fetch(`${api.url}/public/health`)).status).toBe(500);
    const again = await fetch(`${api.url}/public/health`);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe('fine');
  });

  it('answers CORS preflights when CORS is configured', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker, {
      cors: {
        allowOrigins: ['http://localhost:5173'],
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['authorization', 'content-type'],
        maxAgeSeconds: 600,
      },
    });
    const res = await fetch(`${api.url}/orders`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(invoker.received).toHaveLength(0);
    const get = await fetch(`${api.url}/public/health`, { headers: { origin: 'http://localhost:5173' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('serves a named stage under its path prefix', async () => {
    const invoker = new RecordingInvoker();
    const api = await start(invoker, { stage: 'prod' });
    expect(api.url).toMatch(/\/prod$/);
    const res = await fetch(`${api.url}/public/health`);
    expect(res.status).toBe(200);
    expect(invoker.last.event.rawPath).toBe('/prod/public/health');
    expect(invoker.last.event.requestContext.stage).toBe('prod');
    expect((await fetch(`${api.url.replace(/\/prod$/, '')}/public/health`)).status).toBe(404);
  });

  it('refuses a port that is already taken with an error naming it', async () => {
    const api = await start(new RecordingInvoker());
    await expect(start(new RecordingInvoker(), { port: api.port })).rejects.toThrow(
      `cannot listen on 127.0.0.1:${api.port}: the port is already in use`,
    );
  });

  it('rejects route keys it cannot serve', async () => {
    await expect(
      start(new RecordingInvoker(), {
        routes: [{ routeKey: 'FETCH /x', functionArn: ORDER_API, authorizationType: 'NONE' }],
      }),
    ).rejects.toThrow("route key 'FETCH /x'");
  });
});
