/**
 * `campusg start` and `campusg broker` as real processes, for the crash and Ctrl-C tests: each in its own
 * process group (as a terminal runs a foreground job), so a test can signal the group the way Ctrl-C does
 * or SIGKILL it, and can find every process the runtime started (function processes, dynalite) to check
 * that none is left behind. Linux (ps); the suite's CI runs there.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node bin/campusg.js <args>` in a new process group. */
export function spawnCampusg(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/campusg.js'), ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    text += d.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    pid: child.pid!,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(text);
          if (!m) return false;
          done();
          resolve(m);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${text}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        const listener = () => void check();
        if (check()) return;
        listeners.add(listener);
        exited.then(({ code, signal }) => {
          if (check()) return;
          done();
          reject(new Error(`exited (${code ?? signal}) before ${pattern}; output:\n${text}`));
        });
      });
    },
  };
}

/** Every live descendant of `pid` (children, grandchildren...), from the process table. */
export function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [p, pp] of table) {
      if (pp === parent) {
        found.push(p);
        queue.push(p);
      }
    }
  }
  return found;
}

/** The pids among `pids` that still run this project's code (a reused pid running something else is not ours). */
export function stillRunning(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(ROOT);
    } catch {
      return false;
    }
  });
}

/** Resolves once none of `pids` runs this project's code any more (each exit is an event we poll for). */
export async function allGone(pids: readonly number[], timeoutMs = 30_000): Promise<number[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = stillRunning(pids);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL to `pid` alone, or to its whole process group, and waits until the process is gone. */
export async function sigkill(proc: CliProcess, scope: 'process' | 'group'): Promise<void> {
  try {
    process.kill(scope === 'group' ? -proc.pid : proc.pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
  await proc.exited;
}

/** True while the process has not exited (neither with a code nor by a signal). */
export function isRunning(proc: CliProcess): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}
