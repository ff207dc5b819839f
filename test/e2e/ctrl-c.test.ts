/**
 * Ctrl-C always stops the runtime cleanly (issue 18, item 1): `campusg start` runs in its own process
 * group as a terminal's foreground job, and the test sends SIGINT to the whole group, as the terminal
 * does, function processes and dynalite included. Every stop prints "stopped", exits 0, removes
 * runtime.json and leaves no process behind; SIGINTs repeated during the stop (the tsx wrapper sent a
 * second one 30 ms after the first) do not cut it short. Twenty stops in a row are checked by hand (the
 * numbers are in the README), not in the suite.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allGone, type CliProcess, descendants, isRunning, sigkill, spawnCampusg } from './cli-process';
import { ensureSuiteAssembly } from './helpers';

describe('Ctrl-C under campusg start', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-ctrl-c-'));
  const running: CliProcess[] = [];

  beforeAll(() => ensureSuiteAssembly(), 600_000);

  afterAll(async () => {
    for (const p of running) if (isRunning(p)) await sigkill(p, 'group');
    fs.rmSync(base, { recursive: true, force: true });
  });

  async function start(stateDir: string, extra: string[] = []): Promise<CliProcess> {
    const proc = spawnCampusg([
      'start',
      '--state-dir',
      stateDir,
      '--kafka-port',
      '0',
      '--http-port',
      '0',
      '--aws-port',
      '0',
      '--console-port',
      '0',
      '--no-synth',
      ...extra,
    ]);
    running.push(proc);
    await proc.waitFor(/CampusG local runtime is up/, 180_000);
    return proc;
  }

  async function expectCleanStop(proc: CliProcess, stateDir: string, children: number[]): Promise<void> {
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const out = proc.output();
    expect(out).toMatch(/SIGINT: stopping the local runtime\.\.\.\n/);
    expect(out.trimEnd().endsWith('stopped')).toBe(true);
    expect(fs.existsSync(path.join(stateDir, 'runtime.json'))).toBe(false);
    expect(fs.existsSync(path.join(stateDir, 'runtime.lock'))).toBe(false);
    expect(await allGone(children)).toEqual([]);
  }

  it('stops cleanly on SIGINT to the whole process group', async () => {
    const stateDir = path.join(base, 'memory');
    const proc = await start(stateDir);
    const children = descendants(proc.pid);
    // dynalite and the warm function processes
    expect(children.length).toBeGreaterThan(1);
    process.kill(-proc.pid, 'SIGINT');
    await expectCleanStop(proc, stateDir, children);
  }, 300_000);

  it('finishes the stop while Ctrl-C is pressed again and again, with a data directory', async () => {
    const stateDir = path.join(base, 'persistent');
    const proc = await start(stateDir, ['--data-dir', path.join(base, 'data')]);
    const children = descendants(proc.pid);
    // SIGINT to the group every 100 ms until the process is gone (what the tsx wrapper did, minus its
    // SIGKILL, and what an impatient user does)
    process.kill(-proc.pid, 'SIGINT');
    const hammer = setInterval(() => {
      try {
        process.kill(-proc.pid, 'SIGINT');
      } catch {
        // the group is gone
      }
    }, 100);
    try {
      await expectCleanStop(proc, stateDir, children);
    } finally {
      clearInterval(hammer);
    }
    // the repeats are answered once at most, never with a second stop
    expect((proc.output().match(/still stopping\.\.\./g) ?? []).length).toBeLessThanOrEqual(1);
    expect(proc.output().match(/stopping the local runtime/g)).toHaveLength(1);
  }, 300_000);
});
