import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register } from '#local/cli/commands/orders';
import { BufferIo } from '#local/cli/output';
import { LocalJwt } from '#local/http-api/jwt';
import { closedPort } from '#test/support/ports';

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  claims?: Record<string, unknown>;
}

/**
 * `campusg orders` in-process against a stand-in Order API that verifies the bearer token with the same
 * LocalJwt key as the local HTTP API and answers like the API (DESIGN.md "Order API").
 */
describe('orders over the HTTP API', () => {
  let server: Server;
  let url: string;
  let stateDir: string;
  let jwt: LocalJwt;
  const seen: Seen[] = [];

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'campusg-cli-orders-'));
    jwt = await LocalJwt.load(stateDir);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const entry: Seen = {
          method: req.method!,
          path: req.url!,
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        };
        seen.push(entry);
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        try {
          entry.claims = (await jwt.verify(
            String(req.headers.authorization).replace(/^Bearer /, ''),
          )) as Record<string, unknown>;
        } catch {
          return send(401, { error: 'unauthorized', message: 'missing or invalid token' });
        }
        if (req.method === 'POST' && req.url === '/orders') {
          return send(201, {
            orderId: 'o-1',
            status: 'CREATED',
            totalCents: 975,
            customerId: entry.claims.sub,
          });
        }
        if (req.url === '/orders/o-1/accept')
          return send(200, { orderId: 'o-1', status: 'ACCEPTED', runnerId: entry.claims.sub });
        if (req.url === '/orders/o-1/cancel') {
          return send(409, {
            error: 'conflict',
            message: 'order o-1 is ACCEPTED; cannot cancel',
            details: [],
          });
        }
        if (req.url === '/orders/o-1')
          return send(200, { orderId: 'o-1', status: 'ACCEPTED', totalCents: 975 });
        return send(404, { error: 'not_found', message: `no order at ${req.url}` });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(stateDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  /** Runs `campusg orders ...` in-process; returns its exit code and output. */
  async function run(...args: string[]): Promise<{ code: number; io: BufferIo }> {
    const io = new BufferIo();
    const program = new Command('campusg')
      .exitOverride()
      .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    register(program, io);
    const saved = process.exitCode;
    process.exitCode = undefined;
    let code = 0;
    try {
      await program.parseAsync([
        'node',
        'campusg',
        'orders',
        ...args,
        '--state-dir',
        stateDir,
        '--api-url',
        url,
      ]);
      code = Number(process.exitCode ?? 0);
    } catch (err) {
      code = (err as { exitCode?: number }).exitCode === 0 ? 0 : 2;
    } finally {
      process.exitCode = saved;
    }
    return { code, io };
  }

  it('creates an order as the customer with a locally minted token', async () => {
    const { code, io } = await run(
      'create',
      '--customer',
      'c-1',
      '--item',
      'flat white:2:350',
      '--item',
      'bagel:1:275',
      '--location',
      'Library',
      '--idempotency-key',
      'k-1',
    );
    expect(code).toBe(0);
    expect(io.stdout).toBe('order o-1  CREATED  total 9.75  customer c-1\n');
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/orders',
      body: {
        items: [
          { name: 'flat white', quantity: 2, unitPriceCents: 350 },
          { name: 'bagel', quantity: 1, unitPriceCents: 275 },
        ],
        deliveryLocation: 'Library',
        paymentMethod: 'tok_visa',
      },
    });
    expect(seen[0]!.headers['idempotency-key']).toBe('k-1');
    expect(seen[0]!.claims).toMatchObject({ sub: 'c-1', 'cognito:groups': ['customers'] });
  });

  it('prints only the order id with --quiet and the API answer with --json', async () => {
    const quiet = await run('create', '--customer', 'c-1', '--item', 'x:1:1', '--location', 'L', '-q');
    expect(quiet.io.stdout).toBe('o-1\n');
    const json = await run('get', 'o-1', '--customer', 'c-1', '--json');
    expect(JSON.parse(json.io.stdout)).toEqual({ orderId: 'o-1', status: 'ACCEPTED', totalCents: 975 });
  });

  it('accepts as the runner', async () => {
    const { code, io } = await run('accept', 'o-1', '--runner', 'r-1');
    expect(code).toBe(0);
    expect(io.stdout).toBe('order o-1  ACCEPTED  runner r-1\n');
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/orders/o-1/accept' });
    expect(seen[0]!.claims).toMatchObject({ sub: 'r-1', 'cognito:groups': ['runners'] });
  });

  it("exits 1 with the API's message on a conflict and 3 for an unknown order", async () => {
    const conflict = await run('cancel', 'o-1', '--customer', 'c-1');
    expect(conflict.code).toBe(1);
    expect(conflict.io.stderr).toBe('campusg: 409 conflict: order o-1 is ACCEPTED; cannot cancel\n');
    const missing = await run('complete', 'o-404', '--runner', 'r-1');
    expect(missing.code).toBe(3);
    expect(missing.io.stderr).toContain('no order at /orders/o-404/complete');
  });

  it('exits 2 for bad or missing arguments without calling the API', async () => {
    expect((await run('create', '--customer', 'c-1', '--item', 'tea', '--location', 'L')).code).toBe(2);
    expect((await run('create', '--customer', 'c-1', '--location', 'L')).code).toBe(2);
    expect((await run('accept', 'o-1')).code).toBe(2);
    const noCaller = await run('get', 'o-1');
    expect(noCaller.code).toBe(2);
    expect(noCaller.io.stderr).toContain('orders get needs --customer <id> or --runner <id>');
    expect(seen).toEqual([]);
  });

  it('needs --token on the aws target and sends it as given', async () => {
    const noToken = await run('get', 'o-1', '--customer', 'c-1', '--target', 'aws');
    expect(noToken.code).toBe(2);
    expect(noToken.io.stderr).toContain('--target aws needs a token for the HTTP API');
    const issued = await jwt.issueToken({ sub: 'c-1', groups: ['customers'] });
    const withToken = await run('get', 'o-1', '--target', 'aws', '--token', issued);
    expect(withToken.code).toBe(0);
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${issued}`);
  });

  it('says the HTTP API is unreachable, naming it', async () => {
    const io = new BufferIo();
    const program = new Command('campusg').exitOverride();
    register(program, io);
    const saved = process.exitCode;
    const down = `http://127.0.0.1:${await closedPort()}`;
    try {
      await program.parseAsync([
        'node',
        'campusg',
        'orders',
        'get',
        'o-1',
        '--customer',
        'c',
        '--state-dir',
        stateDir,
        '--api-url',
        down,
      ]);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = saved;
    }
    expect(io.stderr).toContain(`cannot reach the HTTP API at ${down}: connect ECONNREFUSED`);
  });
});
