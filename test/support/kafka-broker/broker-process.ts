/**
 * Starts the broker in a child process on a data directory, for tests that must kill it with SIGKILL.
 * Uses `campusg broker` when the CLI has that command, else the `broker-child.ts` stand-in; both print
 * `kafka broker listening on HOST:PORT`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export interface BrokerProcess {
  readonly child: ChildProcess;
  readonly address: string;
  /** Everything the process wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

function command(dataDir: string | undefined): { file: string; args: string[] } {
  const storage = dataDir === undefined ? [] : ['--data-dir', dataDir];
  const cli = path.join(ROOT, 'local/cli/commands/broker.ts');
  if (fs.existsSync(cli)) {
    return {
      file: process.execPath,
      args: [path.join(ROOT, 'bin/campusg.js'), 'broker', '--port', '0', ...storage],
    };
  }
  return {
    file: process.execPath,
    args: ['-r', 'tsx/cjs', path.join(__dirname, 'broker-child.ts'), '--port', '0', ...storage],
  };
}

/** Starts a broker process: file storage in `dataDir`, or memory storage without one. */
export function spawnBroker(dataDir?: string, timeoutMs = 30_000): Promise<BrokerProcess> {
  const { file, args } = command(dataDir);
  const child = spawn(file, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`broker did not start within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code ?? signal} before listening; stderr: ${stderr}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /kafka broker listening on (\S+):(\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ child, address: `${m[1]}:${m[2]}`, stderr: () => stderr, exited });
      }
    });
  });
}
