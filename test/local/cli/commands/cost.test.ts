/**
 * `campusg cost`: argument errors, pricing a saved per-order bill, and one real measurement on a runtime the
 * command starts itself (one order of each fate after the warm-up; about 25 s on 2 cores).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OrderUsage } from '#infra/cost/model';
import { register } from '#local/cli/commands/cost';
import { ensureSuiteAssembly, ROOT } from '#test/e2e/helpers';
import { runRegistered } from '#test/support/cli-command';

const FIXTURE = path.join(ROOT, 'test/infra/cost/fixtures/measured-usage.json');

const run = (args: string[]) => runRegistered(register, 'cost', args);

describe('campusg cost', () => {
  let dir: string;
  beforeAll(async () => {
    await ensureSuiteAssembly();
  }, 240_000);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-cost-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--rate', 'abc'], /--rate must be a number of orders per second > 0, got "abc"/],
    [['--rate', '0'], /--rate must be a number/],
    [['--profile', 'huge'], /unknown profile "huge": use one of default, serverless, small/],
    [['--prices', '/nonexistent/prices.json'], /cannot read price file \/nonexistent\/prices.json: ENOENT/],
    [['--usage', '/nonexistent/usage.json'], /cannot read usage file/],
  ])('refuses %j with a usage error naming the fix', async (args, message) => {
    const r = await run(args[0] === '--usage' ? args : [...args, '--usage', FIXTURE]);
    expect(r.exitCode).toBe(2);
    expect(r.io.stderr).toMatch(message);
  });

  it('refuses a price file with an unknown key, listing the known ones', async () => {
    const file = path.join(dir, 'prices.json');
    fs.writeFileSync(file, JSON.stringify({ lambdaEpuHuor: 0.2 }));
    const r = await run(['--prices', file, '--usage', FIXTURE]);
    expect(r.exitCode).toBe(2);
    expect(r.io.stderr).toMatch(/unknown price "lambdaEpuHuor" \(known: .*lambdaEpuHour/);
  });

  it('refuses a usage file that is not a per-order bill', async () => {
    const file = path.join(dir, 'usage.json');
    fs.writeFileSync(file, JSON.stringify({ orders: 3 }));
    const r = await run(['--usage', file]);
    expect(r.exitCode).toBe(2);
    expect(r.io.stderr).toMatch(/lacks functions, topics, tables, scheduler, httpRequests, logs/);
  });

  it('refuses --orders 0 as a usage error', async () => {
    const r = await run(['--orders', '0']);
    expect(r.exitCode).toBe(2);
    expect(r.usage).toMatch(/--orders must be a whole number >= 1/);
  });

  it('prices a saved bill for every profile, with price overrides applied', async () => {
    const prices = path.join(dir, 'prices.json');
    fs.writeFileSync(prices, JSON.stringify({ lambdaEpuHour: 0 }));
    const r = await run(['--usage', FIXTURE, '--json', '--rate', '100', '--prices', prices]);
    expect(r.io.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.io.stdout) as {
      rate: number;
      profiles: {
        profile: string;
        cost: { lines: { item: string; monthlyUsd: number }[] };
        capacity: { maxOrdersPerSecond: number };
      }[];
    };
    expect(out.rate).toBe(100);
    expect(out.profiles.map((p) => p.profile)).toEqual(['default', 'serverless', 'small']);
    const epu = out.profiles[0]!.cost.lines.find((l) => l.item.startsWith('ESM provisioned pollers'));
    expect(epu?.monthlyUsd).toBe(0);
    for (const p of out.profiles) expect(p.capacity.maxOrdersPerSecond).toBeGreaterThan(0);
  });

  it('measures one order of each fate on its own runtime and prints the bill and each profile', async () => {
    const saved = path.join(dir, 'usage.json');
    const r = await run(['--orders', '1', '--profile', 'default', '--save-usage', saved, '--timeout', '100']);
    expect(r.io.stderr).toContain('measuring 1 order(s) of each fate');
    // on failure, show what the command said rather than only its exit code
    expect({ exitCode: r.exitCode, stderr: r.exitCode === 0 ? '' : r.io.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    const usage = JSON.parse(fs.readFileSync(saved, 'utf8')) as OrderUsage;
    expect(usage.orders).toBe(4);
    // every order goes through the order API once to be created; completed takes 2 more, cancelled 1 more
    // (an accept or cancel answered 409 before the order consumer caught up is retried, and counted)
    expect(usage.httpRequests).toBeGreaterThanOrEqual((4 + 2 + 1) / 4);
    // three of the four fates start a timer; completed and cancelled delete it; the timed-out one fires
    expect(usage.scheduler).toEqual({ creates: 0.75, deletes: 0.5, invocations: 0.25 });
    expect(usage.functions.PaymentConsumer?.invocations).toBeGreaterThan(0);
    expect(usage.topics['order-events']?.records).toBeGreaterThan(0);
    expect(usage.tables.OrdersTable?.wru).toBeGreaterThan(0);
    expect(usage.logs.bytes).toBeGreaterThan(0);
    expect(r.io.stdout).toMatch(/== profile default .* at 10 orders\/s/);
    expect(r.io.stdout).toMatch(/ceiling: [\d.,]+ orders\/s, limited first by /);
  }, 120_000);
});
