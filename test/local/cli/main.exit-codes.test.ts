import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '#local/cli/main';

/**
 * Exit codes scripts can trust, for every command of the CLI as a real process (`bin/campusg.js`): a usage
 * error exits 2, help and version exit 0. Every command is found by walking the program, so a new command
 * is covered without touching this test.
 */

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'campusg.js');

function leaves(cmd: Command, path: string[] = []): string[][] {
  return cmd.commands.flatMap((c) =>
    c.commands.length === 0 ? [[...path, c.name()]] : leaves(c, [...path, c.name()]),
  );
}

function campusg(args: string[]): Promise<{ args: string; code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, CAMPUSG_STATE_DIR: join(ROOT, 'test', 'no-such-state') },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ args: args.join(' '), code, stdout, stderr });
      },
    );
  });
}

async function runAll(commands: string[][]): Promise<Awaited<ReturnType<typeof campusg>>[]> {
  const results: Awaited<ReturnType<typeof campusg>>[] = [];
  for (let i = 0; i < commands.length; i += 6) {
    results.push(...(await Promise.all(commands.slice(i, i + 6).map((c) => campusg(c)))));
  }
  return results;
}

const commands = leaves(buildProgram());

describe('campusg exit codes, every command', () => {
  it('covers every top-level command', () => {
    expect(new Set(commands.map((c) => c[0]))).toEqual(
      new Set([
        'bridge',
        'broker',
        'console',
        'consume',
        'cost',
        'demo',
        'doctor',
        'logs',
        'orders',
        'preflight',
        'produce',
        'start',
        'token',
        'topics',
        'trace',
      ]),
    );
  });

  it('exits 2 with the usage on stderr for a bad option', async () => {
    const results = await runAll(commands.map((c) => [...c, '--no-such-option']));
    for (const r of results) {
      expect({ args: r.args, code: r.code }).toEqual({ args: r.args, code: 2 });
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stdout).toBe('');
    }
  }, 120_000);

  it('exits 2 for a bad option value on the long-running commands', async () => {
    const results = await runAll([
      ['start', '--http-port', '70000'],
      ['start', '--time-scale', '0'],
      ['broker', '--port', 'nine'],
      ['bridge', '--brokers', 'not a broker'],
      ['token', '--customer', 'a', '--ttl', '-1'],
    ]);
    for (const r of results) {
      expect({ args: r.args, code: r.code }).toEqual({ args: r.args, code: 2 });
      expect(r.stderr).toContain('is invalid');
    }
  }, 60_000);

  it('exits 0 for help and version', async () => {
    const results = await runAll([
      ['--help'],
      ['--version'],
      ['help', 'start'],
      ['start', '--help'],
      ['broker', '--help'],
      ['token', '--help'],
      ['bridge', '--help'],
    ]);
    for (const r of results) expect({ args: r.args, code: r.code }).toEqual({ args: r.args, code: 0 });
    expect(results[1]!.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(results[3]!.stdout).toContain('Usage: campusg start');
    // The one state-dir rule, where a user of `npm start` looks for it.
    expect(results[3]!.stdout).toMatch(/--state-dir <dir>\s+runtime\.json and the dev-token key/);
    expect(results[3]!.stdout.replace(/\s+/g, ' ')).toContain(
      'always live in the state dir, ./.campusg unless --state-dir or CAMPUSG_STATE_DIR says otherwise; --data-dir holds only data.',
    );
  }, 60_000);
});
