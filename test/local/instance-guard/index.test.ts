/**
 * The instance guard with real processes: a live owner refuses a second one and says who it is, the OS
 * releases the guard when its owner is killed with SIGKILL, a pid in a file proves nothing, concurrent
 * starts elect exactly one owner, and a directory too deep for a socket path still gets one guard.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AlreadyRunningError,
  acquireGuard,
  announce,
  guardSocketPath,
  type InstanceGuard,
  probeGuard,
} from '#local/instance-guard/index';

const HOLDER = path.join(__dirname, 'holder.ts');
const NAME = 'test.lock';

interface Holder {
  readonly child: ChildProcess;
  readonly lines: string[];
  waitFor(pattern: RegExp): Promise<string>;
}

const children: ChildProcess[] = [];

function spawnHolder(dir: string, mode?: '--on-go'): Holder {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', HOLDER, dir, NAME, ...(mode ? [mode] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    lines,
    async waitFor(pattern) {
      for (;;) {
        const line = lines.find((l) => pattern.test(l));
        if (line) return line;
        const more = new Promise<void>((resolve) => waiters.push(resolve));
        if ((await Promise.race([more.then(() => 'more'), exited.then(() => 'exited')])) === 'exited') {
          const late = lines.find((l) => pattern.test(l));
          if (late) return late;
          throw new Error(`holder exited without ${pattern}; it printed: ${lines.join(' | ')}`);
        }
      }
    },
  };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const busyMessage = (owner: { pid: number } | undefined) => `busy: pid ${owner?.pid}`;

describe('instance guard', () => {
  let dir: string;
  const held: InstanceGuard[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-guard-'));
  });

  afterEach(async () => {
    for (const g of held.splice(0)) await g.release();
    await Promise.all(children.splice(0).map(killed));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses while another process holds the directory and names it, then takes over right after its SIGKILL', async () => {
    const holder = spawnHolder(dir);
    await holder.waitFor(/^held$/);

    const probe = await probeGuard(dir, NAME);
    expect(probe).toMatchObject({
      state: 'running',
      owner: { pid: holder.child.pid, what: 'test holder', endpoints: { kafka: '127.0.0.1:1' } },
    });
    const refused = await acquireGuard(dir, { name: NAME, what: 'test', busyMessage }).catch((e) => e);
    expect(refused).toBeInstanceOf(AlreadyRunningError);
    expect(refused.message).toBe(`busy: pid ${holder.child.pid}`);
    expect(refused.owner.pid).toBe(holder.child.pid);

    await killed(holder.child);
    const stale: string[] = [];
    const guard = await acquireGuard(dir, {
      name: NAME,
      what: 'test',
      busyMessage,
      onStale: (l) => stale.push(l),
    });
    held.push(guard);
    expect(stale).toEqual([
      `replaced the stale lock ${path.join(dir, NAME)} (left by a process that is gone)`,
    ]);
    expect((await probeGuard(dir, NAME)).state).toBe('running');
  });

  it('replaces an old pid-file lock that names a live unrelated process, in one line', async () => {
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(unrelated);
    fs.writeFileSync(path.join(dir, NAME), String(unrelated.pid));
    expect((await probeGuard(dir, NAME)).state).toBe('stale');

    const stale: string[] = [];
    held.push(
      await acquireGuard(dir, { name: NAME, what: 'test', busyMessage, onStale: (l) => stale.push(l) }),
    );
    expect(stale).toHaveLength(1);
    expect(stale[0]).toContain(`naming pid ${unrelated.pid}`);
    expect(unrelated.exitCode).toBeNull();
  });

  it('elects exactly one owner among processes starting at the same instant, also over a stale lock', async () => {
    for (const leftover of [false, true]) {
      if (leftover) {
        // a stale guard: the socket of a holder killed with SIGKILL
        const h = spawnHolder(dir);
        await h.waitFor(/^held$/);
        await killed(h.child);
        expect((await probeGuard(dir, NAME)).state).toBe('stale');
      }
      const racers = Array.from({ length: 4 }, () => spawnHolder(dir, '--on-go'));
      await Promise.all(racers.map((r) => r.waitFor(/^ready$/)));
      for (const r of racers) r.child.stdin!.write('go\n');
      const outcomes = await Promise.all(racers.map((r) => r.waitFor(/^(held|refused|error)\b/)));
      // an `error` outcome names what went wrong: show it rather than only a count
      expect(outcomes.filter((o) => o.startsWith('error'))).toEqual([]);
      expect(outcomes.filter((o) => o === 'held')).toHaveLength(1);
      const winner = racers[outcomes.indexOf('held')]!;
      expect(outcomes.filter((o) => o.startsWith('refused'))).toEqual(
        Array(3).fill(`refused held by pid ${winner.child.pid}`),
      );
      const probe = await probeGuard(dir, NAME);
      expect(probe).toMatchObject({ state: 'running', owner: { pid: winner.child.pid } });
      await Promise.all(racers.map((r) => killed(r.child)));
    }
    // nothing but the (now stale) guard is left in the directory: no temporary sockets
    expect(fs.readdirSync(dir)).toEqual([NAME]);
  }, 60_000);

  it('removes the temporary socket a start left when it was killed mid-way', async () => {
    // the temporary socket is named after the pid of the start that made it, as acquireGuard names its own
    const listener = spawn(
      process.execPath,
      [
        '-e',
        `const p = require('path').join(${JSON.stringify(dir)}, '.${NAME}.' + process.pid + '-deadbeef');
         require('net').createServer().listen(p, () => console.log(p))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(listener);
    const leftover = await new Promise<string>((resolve) =>
      listener.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );
    await killed(listener);
    expect(fs.lstatSync(leftover).isSocket()).toBe(true);

    held.push(await acquireGuard(dir, { name: NAME, what: 'test', busyMessage }));
    expect(fs.readdirSync(dir)).toEqual([NAME]);
  });

  it('leaves the temporary socket of a start that is still running, even before it listens', async () => {
    // A start between bind and listen refuses connections like a dead one; a plain file refuses them the same
    // way and stands in for that moment. Its process is alive, so the file is not litter yet.
    const starter = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(starter);
    const pending = path.join(dir, `.${NAME}.${starter.pid}-0badf00d`);
    fs.writeFileSync(pending, '');

    const first = await acquireGuard(dir, { name: NAME, what: 'test', busyMessage });
    expect(fs.readdirSync(dir).sort()).toEqual([`.${NAME}.${starter.pid}-0badf00d`, NAME]);
    await first.release();

    await killed(starter);
    held.push(await acquireGuard(dir, { name: NAME, what: 'test', busyMessage }));
    expect(fs.readdirSync(dir)).toEqual([NAME]);
  });

  it('keeps a directory too deep for a socket path to one guard, through a socket in the temp dir', async () => {
    const deep = path.join(dir, 'a'.repeat(60), 'b'.repeat(60));
    const socket = guardSocketPath(deep, NAME);
    expect(socket.startsWith(deep)).toBe(false);
    expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(100);
    const holder = spawnHolder(deep);
    await holder.waitFor(/^held$/);
    await expect(acquireGuard(deep, { name: NAME, what: 'test', busyMessage })).rejects.toThrow(
      `busy: pid ${holder.child.pid}`,
    );
    await killed(holder.child);
    held.push(await acquireGuard(deep, { name: NAME, what: 'test', busyMessage, onStale: () => {} }));
    expect((await probeGuard(deep, NAME)).state).toBe('running');
    await held.pop()!.release();
    expect(fs.existsSync(socket)).toBe(false);
  });

  it('answers probes with what this process announced, and removes its socket on release', async () => {
    announce({ endpoints: { http: 'http://127.0.0.1:9' } });
    const guard = await acquireGuard(dir, { name: NAME, what: 'test', busyMessage });
    const probe = await probeGuard(dir, NAME);
    expect(probe).toMatchObject({
      state: 'running',
      owner: { pid: process.pid, what: 'test', endpoints: { http: 'http://127.0.0.1:9' } },
    });
    await guard.release();
    expect(fs.existsSync(path.join(dir, NAME))).toBe(false);
    expect((await probeGuard(dir, NAME)).state).toBe('free');
  });
});
