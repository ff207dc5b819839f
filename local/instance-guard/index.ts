/**
 * The one guard against running twice on the same directory (a broker's data directory, the runtime's state
 * and data directories), released by the operating system when its process dies, whatever kills it.
 *
 * Why a socket and not a pid file: a pid outlives its process and is reused (after a crash or a reboot the
 * pid in a stale file often belongs to an unrelated process), and Node has no flock() without a native
 * addon. A listening Unix domain socket (a named pipe on Windows) is the portable equivalent: the OS closes
 * it the moment the process dies, so
 *   - connect succeeds      -> the owner is alive; it answers one JSON line (pid, start time, command,
 *                              endpoints) that the refusal message and `campusg doctor` show;
 *   - ECONNREFUSED          -> the file was left by a dead process (or is an old pid-file lock): stale; it
 *                              is reported in one line and replaced;
 *   - ENOENT                -> nobody holds the directory.
 * No pid is ever trusted, so a reused pid cannot lock a user out.
 *
 * Creating the guard is race-free for concurrent starts: the socket is bound under a unique temporary name
 * and then hard-linked to the guard's name (link() fails with EEXIST when the name exists, atomically). A
 * stale guard is removed only under a takeover mutex (`<guard>.takeover`, a directory: mkdir() is atomic),
 * and only if the name still points at the very file probed as stale (same device, inode and ctime; a
 * socket linked there since has a newer ctime). Nothing else ever removes or replaces an existing name
 * (link() never overwrites), so once a racer's socket is linked in, no other racer can take it away: of
 * any number of starts racing on a stale guard, exactly one ends up holding it. The mutex is held for a few
 * synchronous system calls; one left behind by a process killed in that instant is cleared after
 * TAKEOVER_ABANDONED_MS.
 *
 * Socket paths are limited (104 bytes on macOS, 108 on Linux): when `<dir>/<name>` is too long, the socket
 * lives in os.tmpdir() under a name derived from a hash of the directory's real path, so every process
 * still finds the same socket for the same directory.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AlreadyRunningError, InstanceGuardError } from './errors';

export { AlreadyRunningError, InstanceGuardError } from './errors';

/** What the owner of a guard answers a probe with. */
export interface GuardOwner {
  /** Always `campusg` for our guards. */
  readonly program: string;
  /** What holds the directory: `local runtime`, `kafka broker`. */
  readonly what: string;
  readonly pid: number;
  /** ISO time the process started. */
  readonly startedAt: string;
  /** The command line of the owner, e.g. `campusg start --data-dir ./data`. */
  readonly command: string;
  readonly cwd: string;
  /** Endpoints the owning process announced (kafka, http, aws, dynamodb). */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Directories the owning process announced (stateDir, dataDir). */
  readonly dirs: Readonly<Record<string, string>>;
}

export type GuardProbe =
  | { readonly state: 'free'; readonly socket: string }
  | { readonly state: 'running'; readonly socket: string; readonly owner: GuardOwner | undefined }
  | { readonly state: 'stale'; readonly socket: string }
  | { readonly state: 'unknown'; readonly socket: string; readonly error: string };

/** Leaves room for the temporary name (`.<name>.<pid>-<hex>`) within every platform's sun_path limit. */
const MAX_SOCKET_PATH_BYTES = 100;
const TEMP_SUFFIX_BYTES = 24;
const PROBE_TIMEOUT_MS = 2000;
const MAX_ATTEMPTS = 20;
/** A takeover mutex older than this was left by a process killed while holding it (it is held for microseconds). */
const TAKEOVER_ABANDONED_MS = 2_000;

const processStartedAt = new Date(Date.now() - process.uptime() * 1000).toISOString();
const announced = { endpoints: {} as Record<string, string>, dirs: {} as Record<string, string> };

/**
 * Adds endpoints and directories to what every guard held by this process answers (a runtime announces its
 * endpoints once they are bound, so a refused second start can say where the first one listens).
 */
export function announce(info: {
  endpoints?: Record<string, string | undefined>;
  dirs?: Record<string, string | undefined>;
}): void {
  for (const [k, v] of Object.entries(info.endpoints ?? {})) if (v) announced.endpoints[k] = v;
  for (const [k, v] of Object.entries(info.dirs ?? {})) if (v) announced.dirs[k] = v;
}

function ownerInfo(what: string): GuardOwner {
  const script = process.argv[1] ? path.basename(process.argv[1]).replace(/\.[cm]?[jt]s$/, '') : 'node';
  const program = script === 'main' || script === 'campusg' ? 'campusg' : script;
  return {
    program: 'campusg',
    what,
    pid: process.pid,
    startedAt: processStartedAt,
    command: [program, ...process.argv.slice(2)].join(' '),
    cwd: process.cwd(),
    endpoints: { ...announced.endpoints },
    dirs: { ...announced.dirs },
  };
}

function hashOf(dir: string, name: string): string {
  let real = path.resolve(dir);
  try {
    real = fs.realpathSync(real);
  } catch {
    // not there (yet): the resolved path is as good a key as any
  }
  return createHash('sha256').update(`${real}\0${name}`).digest('hex').slice(0, 20);
}

/** Where the guard `name` of `dir` lives: `<dir>/<name>`, or a hashed name in the temp dir when too long. */
export function guardSocketPath(dir: string, name: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\campusg-${hashOf(dir, name)}`;
  const inDir = path.resolve(dir, name);
  if (Buffer.byteLength(inDir) + TEMP_SUFFIX_BYTES <= MAX_SOCKET_PATH_BYTES) return inDir;
  const inTmp = path.join(os.tmpdir(), `campusg-${hashOf(dir, name)}.${name}`);
  if (Buffer.byteLength(inTmp) + TEMP_SUFFIX_BYTES <= MAX_SOCKET_PATH_BYTES) return inTmp;
  return path.join('/tmp', `campusg-${hashOf(dir, name)}.${name}`);
}

/** Asks the guard `name` of `dir` whether a live process holds it, and what that process is. */
export function probeGuard(dir: string, name: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<GuardProbe> {
  return probeSocket(guardSocketPath(dir, name), timeoutMs);
}

function probeSocket(socket: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<GuardProbe> {
  return new Promise((resolve) => {
    let connected = false;
    let data = '';
    let settled = false;
    const conn = net.connect(socket);
    const settle = (result: GuardProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      resolve(result);
    };
    const running = (): GuardProbe => ({ state: 'running', socket, owner: parseOwner(data) });
    // A live listener accepts at once even when its event loop is busy; only its answer can be late. When this
    // process itself was starved past the timeout, the timer runs before the connect or error that is already
    // waiting to be handled: setImmediate lets that I/O in first, so a stall here is not taken for a silent owner.
    const timer = setTimeout(
      () =>
        setImmediate(() =>
          settle(
            connected ? running() : { state: 'unknown', socket, error: `no answer within ${timeoutMs} ms` },
          ),
        ),
      timeoutMs,
    );
    conn.on('connect', () => {
      connected = true;
    });
    conn.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
      if (data.length > 65536) settle(running());
    });
    conn.on('end', () => settle(running()));
    conn.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) return settle(running());
      switch (err.code) {
        case 'ENOENT':
          return settle({ state: 'free', socket });
        case 'ECONNREFUSED':
        case 'ENOTSOCK':
          return settle({ state: 'stale', socket });
        case 'EAGAIN':
          // the listener's backlog is full: it is alive
          return settle({ state: 'running', socket, owner: undefined });
        default:
          return settle({ state: 'unknown', socket, error: `${err.code ?? 'error'}: ${err.message}` });
      }
    });
  });
}

function parseOwner(text: string): GuardOwner | undefined {
  try {
    const o = JSON.parse(text.split('\n')[0] ?? '') as Partial<GuardOwner>;
    if (typeof o.pid !== 'number' || typeof o.what !== 'string') return undefined;
    return {
      program: String(o.program ?? 'campusg'),
      what: o.what,
      pid: o.pid,
      startedAt: String(o.startedAt ?? ''),
      command: String(o.command ?? ''),
      cwd: String(o.cwd ?? ''),
      endpoints: typeof o.endpoints === 'object' && o.endpoints ? o.endpoints : {},
      dirs: typeof o.dirs === 'object' && o.dirs ? o.dirs : {},
    };
  } catch {
    return undefined;
  }
}

const ENDPOINT_LABELS: Record<string, string> = {
  http: 'HTTP API',
  kafka: 'Kafka',
  aws: 'AWS APIs',
  dynamodb: 'DynamoDB',
};

/**
 * `pid 4242 since 2026-12-02 06:50:01 UTC (campusg start --data-dir ./data, in /home/me/campusg); HTTP API
 * http://127.0.0.1:3000, Kafka 127.0.0.1:9092`: what runs, for messages.
 */
export function describeOwner(owner: GuardOwner | undefined): string {
  if (!owner) return 'a process that holds the lock but did not say what it is';
  const since = owner.startedAt
    ? ` since ${owner.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`
    : '';
  const where = owner.cwd ? `, in ${owner.cwd}` : '';
  const endpoints = Object.entries(owner.endpoints)
    .map(([k, v]) => `${ENDPOINT_LABELS[k] ?? k} ${v}`)
    .join(', ');
  return `pid ${owner.pid}${since} (${owner.command || owner.what}${where})${endpoints ? `; ${endpoints}` : ''}`;
}

export interface AcquireOptions {
  /** File name of the guard in the directory, e.g. `broker.lock`, `runtime.lock`. */
  readonly name: string;
  /** What holds it, in the owner's answer: `local runtime`, `kafka broker`. */
  readonly what: string;
  /** The refusal message when a live process holds the guard (what runs, how to stop it, how to run beside it). */
  readonly busyMessage: (owner: GuardOwner | undefined, socket: string) => string;
  /** Told in one line when a stale guard (its process is gone) is replaced; default: stderr. */
  readonly onStale?: (line: string) => void;
}

/** A held guard. `release()` removes it; if the process dies instead, the OS releases it. */
export class InstanceGuard {
  private released = false;

  constructor(
    readonly dir: string,
    readonly socket: string,
    private readonly server: net.Server,
    private readonly inode: { dev: number; ino: number } | undefined,
  ) {}

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.inode) {
      try {
        const st = fs.lstatSync(this.socket);
        // Remove only our own socket, never one a later owner created after a takeover.
        if (st.dev === this.inode.dev && st.ino === this.inode.ino) fs.unlinkSync(this.socket);
      } catch {
        // already gone
      }
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Takes the guard `options.name` of `dir` (created if missing) for the life of this process, or throws
 * AlreadyRunningError when a live process holds it. A stale guard is reported and replaced.
 */
export async function acquireGuard(dir: string, options: AcquireOptions): Promise<InstanceGuard> {
  const absDir = path.resolve(dir);
  fs.mkdirSync(absDir, { recursive: true });
  const socket = guardSocketPath(absDir, options.name);
  const onStale = options.onStale ?? ((line: string) => process.stderr.write(`campusg: ${line}\n`));
  const server = net.createServer((conn) => {
    conn.on('error', () => undefined);
    conn.end(`${JSON.stringify(ownerInfo(options.what))}\n`);
  });
  // The guard never keeps a process alive on its own.
  server.unref();
  const busy = (owner: GuardOwner | undefined) =>
    new AlreadyRunningError(options.busyMessage(owner, socket), owner, socket);

  if (process.platform === 'win32') {
    // Named pipes disappear with their process: there is never a stale one to replace.
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        await listen(server, socket);
        return new InstanceGuard(absDir, socket, server, undefined);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw guardError(socket, err);
      }
      const probe = await probeSocket(socket);
      if (probe.state === 'running') throw busy(probe.owner);
    }
    throw new InstanceGuardError(`could not take ${socket} after ${MAX_ATTEMPTS} attempts`);
  }

  const temp = path.join(
    path.dirname(socket),
    `.${path.basename(socket)}.${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    await listen(server, temp);
  } catch (err) {
    throw guardError(socket, err);
  }
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      try {
        fs.linkSync(temp, socket);
        const st = fs.lstatSync(socket);
        fs.unlinkSync(temp);
        await removeLeftovers(socket);
        return new InstanceGuard(absDir, socket, server, { dev: st.dev, ino: st.ino });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw guardError(socket, err);
      }
      const before = lstatOrUndefined(socket);
      if (!before) continue;
      const leftBy = formerPidFile(socket, before);
      const probe = await probeSocket(socket);
      if (probe.state === 'running') throw busy(probe.owner);
      if (probe.state === 'unknown') {
        throw new InstanceGuardError(
          `cannot tell whether a running process holds ${absDir} (${socket}: ${probe.error}); if nothing of CampusG runs there, remove ${socket}`,
        );
      }
      if (probe.state === 'stale') {
        const outcome = removeStale(socket, before);
        if (outcome === 'removed')
          onStale(`replaced the stale lock ${socket} (${leftBy ?? 'left by a process that is gone'})`);
        // Another start is removing it right now: let it finish, then look again (not counted as an attempt).
        if (outcome === 'busy') {
          attempt--;
          await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
        }
      }
    }
    throw new InstanceGuardError(
      `could not take ${socket} after ${MAX_ATTEMPTS} attempts: other processes keep starting on ${absDir}`,
    );
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

function listen(server: net.Server, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(where, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function guardError(socket: string, err: unknown): InstanceGuardError {
  const e = err as NodeJS.ErrnoException;
  return new InstanceGuardError(
    `cannot create the lock ${socket} (${e.code ?? 'error'}: ${e.message}); check that its directory is writable`,
    { cause: err },
  );
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

/** Older versions wrote a pid into the lock file; name it in the stale line. */
function formerPidFile(file: string, st: fs.Stats): string | undefined {
  if (!st.isFile() || st.size > 32) return undefined;
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) ? `an old pid file naming pid ${pid}, which no longer holds it` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Temporary sockets (`.<name>.<pid>-<hex>`), renamed-aside stale guards of older versions (`<name>.stale-...`)
 * and an abandoned takeover mutex (`<name>.takeover`) of starts
 * that died mid-way: removed once nobody answers on them, so crashes leave no litter next to the data.
 */
async function removeLeftovers(socket: string): Promise<void> {
  const dir = path.dirname(socket);
  const base = path.basename(socket);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (name === `${base}.takeover`) {
      const st = lstatOrUndefined(file);
      if (st && Date.now() - st.mtimeMs > TAKEOVER_ABANDONED_MS)
        fs.rmSync(file, { recursive: true, force: true });
      continue;
    }
    if (!name.startsWith(`.${base}.`) && !name.startsWith(`${base}.stale-`)) continue;
    // A start that is still running may be between binding its temporary socket and listening on it, when a
    // probe is refused as if it were stale: the pid in the name tells that it is not litter yet.
    const starter = /^\.[^/]*\.(\d+)-[0-9a-f]+$/.exec(name)?.[1];
    if (starter !== undefined && Number(starter) !== process.pid && processExists(Number(starter))) continue;
    if ((await probeSocket(file, 500)).state === 'stale') fs.rmSync(file, { force: true });
  }
}

/**
 * Removes the stale guard `socket` under the takeover mutex, if the name still points at the file probed as
 * stale. 'busy': another start holds the mutex; 'changed': the name points elsewhere now (or nowhere).
 */
function removeStale(socket: string, stale: fs.Stats): 'removed' | 'changed' | 'busy' {
  const mutex = `${socket}.takeover`;
  try {
    fs.mkdirSync(mutex);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw guardError(socket, err);
    const held = lstatOrUndefined(mutex);
    if (held && Date.now() - held.mtimeMs > TAKEOVER_ABANDONED_MS)
      fs.rmSync(mutex, { recursive: true, force: true });
    return 'busy';
  }
  try {
    const now = lstatOrUndefined(socket);
    if (!now || now.dev !== stale.dev || now.ino !== stale.ino || now.ctimeMs !== stale.ctimeMs)
      return 'changed';
    fs.unlinkSync(socket);
    return 'removed';
  } finally {
    fs.rmSync(mutex, { recursive: true, force: true });
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
