import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '#local/cli/main';
import { type Broker, startBroker } from '#local/kafka-broker/index';
import { closedPort } from '#test/support/ports';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'campusg.js');

/** The commands this suite owns (others register broker, start, token). */
const OURS = ['consume', 'demo', 'doctor', 'logs', 'orders', 'produce', 'topics', 'trace'];

function walk(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands.flatMap((c) => [
    { path: [...path, c.name()], cmd: c },
    ...walk(c, [...path, c.name()]),
  ]);
}

const ours = () => walk(buildProgram()).filter((c) => OURS.includes(c.path[0]!));

function campusg(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, CAMPUSG_STATE_DIR: join(ROOT, 'test', 'no-such-state'), ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('campusg help and exit codes', () => {
  it('registers every command of the CLI brief', () => {
    const paths = ours().map((c) => c.path.join(' '));
    expect(paths).toEqual(
      expect.arrayContaining([
        'topics list',
        'topics describe',
        'topics create',
        'topics delete',
        'consume',
        'produce',
        'logs',
        'orders create',
        'orders get',
        'orders accept',
        'orders complete',
        'orders cancel',
        'trace',
        'doctor',
        'demo',
      ]),
    );
  });

  it('describes every command, argument and option', () => {
    const missing: string[] = [];
    for (const { path, cmd } of ours()) {
      if (!cmd.description()) missing.push(`${path.join(' ')}: command`);
      for (const a of cmd.registeredArguments)
        if (!a.description) missing.push(`${path.join(' ')}: <${a.name()}>`);
      for (const o of cmd.options) if (!o.description) missing.push(`${path.join(' ')}: ${o.flags}`);
    }
    expect(missing).toEqual([]);
  });

  it('offers the target options on every command that talks to the system', () => {
    const leaves = ours().filter((c) => c.cmd.commands.length === 0);
    for (const { cmd } of leaves) {
      expect(cmd.options.map((o) => o.long)).toEqual(
        expect.arrayContaining(['--target', '--state-dir', '--brokers', '--api-url', '--region', '--stack']),
      );
    }
  });

  it('renders usage for every command', () => {
    for (const { path, cmd } of ours())
      expect(cmd.helpInformation()).toContain(`Usage: campusg ${path.join(' ')}`);
  });

  it('prints help and exits 0 for each command when run as a process', async () => {
    const paths = [...OURS.map((c) => [c]), ['topics', 'create'], ['orders', 'create']];
    const results: { path: string; code: number; stdout: string }[] = [];
    for (let i = 0; i < paths.length; i += 5) {
      const batch = paths.slice(i, i + 5);
      results.push(
        ...(await Promise.all(
          batch.map(async (p) => ({ path: p.join(' '), ...(await campusg([...p, '--help'])) })),
        )),
      );
    }
    for (const r of results) {
      expect({ path: r.path, code: r.code }).toEqual({ path: r.path, code: 0 });
      expect(r.stdout).toContain(`Usage: campusg ${r.path}`);
    }
  });

  it('exits 2 on usage errors', async () => {
    const unknownOption = await campusg(['topics', 'list', '--bogus']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--bogus'");
    const badTarget = await campusg(['doctor', '--target', 'gcp']);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toContain("argument 'gcp' is invalid");
    const badNumber = await campusg(['consume', 'order-events', '--max', 'lots']);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--max must be a whole number >= 1, got "lots"');
  });

  it('tells the user to start the runtime when demo finds nothing running', async () => {
    const r = await campusg(['demo', '--api-url', `http://127.0.0.1:${await closedPort()}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^campusg: the local runtime is not running: nothing answers at http:\/\/127\.0\.0\.1:\d+ .*start it with `npm start`/,
    );
  });

  describe('against a broker', () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await startBroker({ port: 0, topics: [{ name: 'order-events', partitions: 1 }] });
    });
    afterAll(async () => {
      await broker.stop();
    });

    it('exits 3 when the thing asked for does not exist', async () => {
      const r = await campusg(['topics', 'describe', 'nope', '--brokers', broker.address]);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('campusg: topic nope does not exist\n');
      const t = await campusg(['trace', 'ord-none', '--brokers', broker.address]);
      expect(t.code).toBe(3);
    });

    it('exits 0 with the topics listed and 1 when the broker is down', async () => {
      const ok = await campusg(['topics', 'list'], { CAMPUSG_BROKERS: broker.address });
      expect(ok).toMatchObject({ code: 0, stdout: 'order-events\n' });
      const down = await campusg(['topics', 'list', '--brokers', `127.0.0.1:${await closedPort()}`]);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/^campusg: cannot reach the Kafka broker: .*ECONNREFUSED/);
    });
  });
});
