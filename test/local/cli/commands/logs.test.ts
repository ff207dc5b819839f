import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AwsApi, startAwsApi } from '#local/aws-api/index';
import { logs } from '#local/cli/commands/logs';
import { BufferIo, CliError, EXIT } from '#local/cli/output';
import { resolveTarget } from '#local/cli/target';
import { MemoryLogStore } from '#local/runtime/logs';
import { closedPort } from '#test/support/ports';

/** `campusg logs` through the CloudWatch Logs SDK client against the runtime's local AWS API endpoint. */
describe('logs against the local AWS API', () => {
  let api: AwsApi;
  let store: MemoryLogStore;
  let stateDir: string;
  const now = Date.now();
  const ORDER_API = '/aws/lambda/campusg-dev-order-api';
  const ORDER_CONSUMER = '/aws/lambda/campusg-dev-order-consumer';
  const PAYMENT = '/aws/lambda/campusg-dev-payment-consumer';

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'campusg-cli-logs-'));
    store = new MemoryLogStore();
    store.append(ORDER_API, '2025/03/19/[$LATEST]a', [
      { timestamp: now - 3000, message: 'INFO order created ord-1\n' },
      { timestamp: now - 1000, message: 'ERROR order ord-2 rejected\n' },
    ]);
    store.append(ORDER_CONSUMER, '2025/03/19/[$LATEST]b', [
      { timestamp: now - 2000, message: 'INFO FUNDS_HELD ord-1' },
    ]);
    store.append(PAYMENT, '2025/03/19/[$LATEST]c', [
      { timestamp: now - 60 * 60_000, message: 'INFO an hour ago' },
      { timestamp: now - 500, message: 'INFO authorized ord-1' },
    ]);
    api = await startAwsApi({
      port: 0,
      logs: store,
      invoker: { invoke: async () => ({ ok: true, payload: null, durationMs: 0 }) },
    });
  });

  afterAll(async () => {
    await api.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const target = () => resolveTarget({ stateDir, awsEndpoint: api.url }, {}, process.cwd());

  it("merges a service's log groups in time order, naming the function when there are several", async () => {
    const io = new BufferIo();
    expect(await logs(target(), 'order', { since: now - 10 * 60_000 }, io)).toBe(EXIT.OK);
    const lines = io.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split('  ').slice(1).join('  '))).toEqual([
      'campusg-dev-order-api  INFO order created ord-1',
      'campusg-dev-order-consumer  INFO FUNDS_HELD ord-1',
      'campusg-dev-order-api  ERROR order ord-2 rejected',
    ]);
    expect(lines[0]!.slice(0, 24)).toBe(new Date(now - 3000).toISOString());
  });

  it('honours --since and --filter', async () => {
    const io = new BufferIo();
    await logs(target(), 'payment', { since: now - 10 * 60_000 }, io);
    expect(io.stdout).toBe(`${new Date(now - 500).toISOString()}  INFO authorized ord-1\n`);

    const filtered = new BufferIo();
    await logs(target(), 'order', { since: now - 10 * 60_000, filter: 'ERROR', json: true }, filtered);
    expect(JSON.parse(filtered.stdout)).toMatchObject({
      logGroupName: ORDER_API,
      message: 'ERROR order ord-2 rejected',
    });
  });

  it('follows new events until stopped', async () => {
    const controller = new AbortController();
    const io = new BufferIo();
    store.append('/aws/lambda/campusg-dev-escrow-consumer', 's', [
      { timestamp: Date.now(), message: 'INFO held ord-9' },
    ]);
    const follow = logs(
      target(),
      'escrow',
      { since: now - 1000, follow: true, pollMs: 50 },
      io,
      controller.signal,
    );
    const waitFor = async (text: string) => {
      while (!io.stdout.includes(text)) await new Promise((r) => setTimeout(r, 20));
    };
    await waitFor('held ord-9');
    store.append('/aws/lambda/campusg-dev-escrow-consumer', 's', [
      { timestamp: Date.now(), message: 'INFO released ord-9' },
    ]);
    await waitFor('released ord-9');
    controller.abort();
    expect(await follow).toBe(EXIT.OK);
    expect(io.stdout.match(/held ord-9/g)).toHaveLength(1);
  });

  it('exits 3 naming the known services and groups for an unknown service', async () => {
    const err = await logs(target(), 'billing', {}, new BufferIo()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT.NOT_FOUND);
    expect((err as CliError).message).toMatch(/no log group for "billing"; known services: order, payment/);
    expect((err as CliError).message).toContain('campusg-dev-payment-consumer');
  });

  it('fails with the endpoint named when the AWS API is not reachable', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const down = resolveTarget({ stateDir, awsEndpoint: endpoint }, {}, process.cwd());
    await expect(logs(down, 'order', {}, new BufferIo())).rejects.toThrow(
      `cannot list log groups at ${endpoint}`,
    );
  });
});
