/**
 * The function host: runs each Lambda function of the model from its bundled asset, in child processes
 * (own environment, own module state), kept warm, one invocation at a time per process, a small pool per
 * function for concurrency. Implements `Invoker`. Output lands in the function's log group with Lambda's
 * START / END / REPORT lines; timeouts and crashes are reported the way Lambda reports them.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeForeignImport, entryFile, findForeignImports } from '#infra/checks/bundle-imports';
import { findFunction } from '#local/assembly/index';
import type { InvokeResult, Invoker, LocalFunction, LogEvent, LogStore } from '#local/core/types';

const WORKER = path.join(__dirname, 'function-worker.js');

/**
 * `CAMPUSG_CPU_PROFILE_DIR=<dir>`: every function process writes a V8 CPU profile there when it exits
 * (`--cpu-prof`), in a folder named after its function. For performance work only.
 */
export function profilingExecArgv(name: string): string[] {
  const dir = process.env.CAMPUSG_CPU_PROFILE_DIR;
  if (!dir) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${path.join(path.resolve(dir), name)}`];
}

export interface FunctionHostOptions {
  readonly functions: readonly LocalFunction[];
  readonly logs: LogStore;
  readonly region: string;
  /** Variables added to every function's environment after the template's and Lambda's own (endpoints, credentials, Kafka). */
  readonly environmentOverrides?:
    | Readonly<Record<string, string>>
    | ((fn: LocalFunction) => Record<string, string>);
  /** Variables removed from the template environment (e.g. MSK_CLUSTER_ARN). */
  readonly removeVariables?: readonly string[];
  /** Processes per function at most (default 2). */
  readonly maxInstancesPerFunction?: number;
  /**
   * Check every bundle's imports before the first function process starts (default true): a bundle that
   * needs a module that is neither a Node.js built-in nor in its asset fails `warm()` / `warmFunction()`
   * and every invocation, with one line per function and module. Each process only ever resolves modules
   * from its own asset directory (function-worker.js), so the check and the real load agree.
   */
  readonly checkBundles?: boolean;
  /** Called for host-level problems (crashes, init errors); default: nothing. */
  readonly onDiagnostic?: (message: string) => void;
}

/**
 * A bundle needs a module that Lambda would not give it (neither a Node.js built-in nor in its asset). One
 * line per function and module, so the fix (bundle the module, or stop importing it) is in the message.
 */
export class BundleModuleError extends Error {
  readonly retriable = false;
  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `${problems.length === 1 ? 'a function bundle needs a module' : 'function bundles need modules'} that Lambda would not provide (only Node.js built-ins and the files of the asset are there); bundle them (HOUSE_BUNDLING in infra/constructs/campusg-function.ts) and synthesize again:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      options,
    );
    this.name = 'BundleModuleError';
  }
}

/**
 * Bundles found self-contained, remembered across starts in the OS temp directory: the check parses every
 * bundle (about 1 MB each), which a restart need not repeat for unchanged files. The key is the asset's
 * real path, handler module and the entry file's size and mtime; only clean results are remembered, so a
 * problem is always reported from a fresh check.
 */
const CLEAN_BUNDLES_DIR = path.join(os.tmpdir(), 'campusg-clean-bundles');

function cleanBundleMarker(fn: LocalFunction, module: string): string | undefined {
  const entry = entryFile(fn.assetPath, module);
  if (!entry) return undefined;
  try {
    const st = fs.statSync(entry);
    const key = `${fs.realpathSync(entry)}|${st.size}|${st.mtimeMs}`;
    return path.join(CLEAN_BUNDLES_DIR, createHash('sha256').update(key).digest('hex'));
  } catch {
    return undefined;
  }
}

/** One line per module a function's bundle needs from outside its asset; empty when it is self-contained. */
export async function foreignModulesOf(fn: LocalFunction): Promise<string[]> {
  const module = fn.handler.slice(0, Math.max(0, fn.handler.lastIndexOf('.'))) || 'index';
  const marker = cleanBundleMarker(fn, module);
  if (marker && fs.existsSync(marker)) return [];
  try {
    const report = await findForeignImports(fn.assetPath, { module });
    if (report.foreign.length === 0 && marker) {
      try {
        fs.mkdirSync(CLEAN_BUNDLES_DIR, { recursive: true });
        fs.writeFileSync(marker, `${fn.assetPath}\n`);
      } catch {
        // only a cache: the next start checks again
      }
    }
    return report.foreign.map(
      (i) =>
        `${fn.functionName}: ${describeForeignImport(i)} [${path.relative(process.cwd(), fn.assetPath) || fn.assetPath}]`,
    );
  } catch (err) {
    return [`${fn.functionName}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

/** The environment a function process gets: base, template, Lambda's reserved variables, local overrides. */
export function lambdaEnvironment(
  fn: LocalFunction,
  options: Pick<FunctionHostOptions, 'region' | 'environmentOverrides' | 'removeVariables'>,
  logStreamName: string,
): Record<string, string> {
  const template = { ...fn.environment };
  for (const name of options.removeVariables ?? []) delete template[name];
  const overrides =
    typeof options.environmentOverrides === 'function'
      ? options.environmentOverrides(fn)
      : (options.environmentOverrides ?? {});
  const runtime = fn.runtime ?? 'nodejs20.x';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    ...template,
    _HANDLER: fn.handler,
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: fn.assetPath,
    LAMBDA_RUNTIME_DIR: path.dirname(WORKER),
    ...(fn.logFormat === 'JSON' ? { AWS_LAMBDA_LOG_FORMAT: 'JSON' } : {}),
    ...overrides,
  };
  return env;
}

function logStreamName(): string {
  const d = new Date();
  const ymd = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${ymd}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

interface PendingInvoke {
  readonly id: number;
  readonly requestId: string;
  readonly started: number;
  readonly resolve: (r: InvokeResult) => void;
  timer?: NodeJS.Timeout;
}

type InstanceState = 'starting' | 'idle' | 'busy' | 'dead';

class Instance {
  state: InstanceState = 'starting';
  readonly ready: Promise<{ ok: true; initDurationMs: number } | { ok: false; error: InvokeErrorShape }>;
  private child: ChildProcess;
  private pending?: PendingInvoke;
  private nextId = 0;
  private initDurationMs?: number;
  private reportInit = true;
  private readonly pipeBuffers = { stdout: '', stderr: '' };

  constructor(
    private readonly fn: LocalFunction,
    private readonly host: FunctionHost,
    readonly stream: string,
    env: Record<string, string>,
    reserved: boolean,
    private readonly onExit: (instance: Instance) => void,
  ) {
    this.child = fork(WORKER, [], {
      cwd: fn.assetPath,
      env,
      execArgv: profilingExecArgv(fn.functionName),
      silent: true,
      serialization: 'json',
      // Its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) reaches the runtime,
      // which stops its functions in order, not the function mid-invocation. It still exits when the
      // runtime dies (IPC disconnect). Windows: detached would open a console window.
      detached: process.platform !== 'win32',
    });
    this.ready = new Promise((resolve) => {
      const onMessage = (msg: WorkerMessage) => {
        if (msg.type === 'ready') {
          this.initDurationMs = msg.initDurationMs;
          if (this.state === 'starting') this.state = reserved ? 'busy' : 'idle';
          resolve({ ok: true, initDurationMs: msg.initDurationMs });
        } else if (msg.type === 'init-error') {
          this.state = 'dead';
          resolve({ ok: false, error: msg.error });
          this.child.kill('SIGKILL');
        }
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code, signal) => {
        resolve({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `Runtime exited during init with ${signal ? `signal ${signal}` : `exit status ${code}`}`,
          },
        });
      });
    });
    this.child.on('message', (msg: WorkerMessage) => this.onMessage(msg));
    this.child.stdout?.on('data', (d: Buffer) => this.onPipe('stdout', d));
    this.child.stderr?.on('data', (d: Buffer) => this.onPipe('stderr', d));
    this.child.on('error', (err) =>
      this.host.diagnostic(`${fn.functionName}: process error: ${err.message}`),
    );
    this.child.on('exit', (code, signal) => this.onChildExit(code, signal));
  }

  private log(message: string, timestamp = Date.now()): void {
    this.host.logs.append(this.fn.logGroupName, this.stream, [{ timestamp, message }]);
  }

  private onPipe(name: 'stdout' | 'stderr', data: Buffer): void {
    const lines = (this.pipeBuffers[name] + data.toString('utf8')).split('\n');
    this.pipeBuffers[name] = lines.pop() ?? '';
    const now = Date.now();
    const events: LogEvent[] = lines
      .filter((l) => l.length > 0)
      .map((message) => ({ timestamp: now, message }));
    if (events.length) this.host.logs.append(this.fn.logGroupName, this.stream, events);
  }

  private onMessage(msg: WorkerMessage): void {
    if (msg.type === 'log') {
      this.log(msg.message, msg.timestamp);
    } else if (msg.type === 'result') {
      const p = this.pending;
      if (!p || p.id !== msg.id) return;
      this.finish(
        p,
        msg.ok
          ? { ok: true, payload: msg.payload, durationMs: Date.now() - p.started }
          : { ok: false, error: msg.error, durationMs: Date.now() - p.started },
        msg.maxMemoryMb,
      );
      this.state = 'idle';
    }
  }

  private finish(p: PendingInvoke, result: InvokeResult, maxMemoryMb?: number, status?: string): void {
    if (p.timer) clearTimeout(p.timer);
    this.pending = undefined;
    const duration = result.durationMs;
    const init =
      this.reportInit && this.initDurationMs !== undefined
        ? `\tInit Duration: ${this.initDurationMs.toFixed(2)} ms`
        : '';
    this.reportInit = false;
    this.log(`END RequestId: ${p.requestId}`);
    this.log(
      `REPORT RequestId: ${p.requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(duration))} ms\tMemory Size: ${this.fn.memoryMb} MB\tMax Memory Used: ${maxMemoryMb ?? 0} MB${init}${status ? `\tStatus: ${status}` : ''}`,
    );
    p.resolve(result);
  }

  invoke(event: unknown): Promise<InvokeResult> {
    this.state = 'busy';
    const id = ++this.nextId;
    const requestId = randomUUID();
    const started = Date.now();
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const p: PendingInvoke = { id, requestId, started, resolve };
      this.pending = p;
      this.log(`START RequestId: ${requestId} Version: $LATEST`);
      p.timer = setTimeout(() => {
        if (this.pending !== p) return;
        const message = `Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`;
        this.log(`${new Date().toISOString()} ${requestId} ${message}`);
        this.state = 'dead';
        this.finish(
          p,
          {
            ok: false,
            error: { errorType: 'Sandbox.Timedout', errorMessage: message },
            durationMs: timeoutMs,
          },
          undefined,
          'timeout',
        );
        this.child.kill('SIGKILL');
      }, timeoutMs);
      try {
        this.child.send({
          type: 'invoke',
          id,
          requestId,
          event,
          deadline: started + timeoutMs,
          invokedFunctionArn: this.fn.arn,
        });
      } catch (err) {
        this.state = 'dead';
        this.finish(p, {
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `could not reach the function process: ${String(err)}`,
          },
          durationMs: Date.now() - started,
        });
      }
    });
  }

  private onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    const wasStopping = this.state === 'dead' && !this.pending;
    this.state = 'dead';
    for (const name of ['stdout', 'stderr'] as const) {
      if (this.pipeBuffers[name]) {
        this.log(this.pipeBuffers[name]);
        this.pipeBuffers[name] = '';
      }
    }
    const p = this.pending;
    if (p) {
      const status = signal ? `signal ${signal}` : `exit status ${code}`;
      const errorMessage = `RequestId: ${p.requestId} Error: Runtime exited with error: ${status}`;
      this.log(errorMessage);
      this.finish(
        p,
        {
          ok: false,
          error: { errorType: 'Runtime.ExitError', errorMessage },
          durationMs: Date.now() - p.started,
        },
        undefined,
        'error',
      );
      this.host.diagnostic(
        `${this.fn.functionName}: process crashed (${status}); a new one starts on the next invocation`,
      );
    } else if (!wasStopping && code !== 0 && code !== null) {
      this.host.diagnostic(`${this.fn.functionName}: process exited (exit status ${code})`);
    }
    this.onExit(this);
  }

  kill(): Promise<void> {
    this.state = 'dead';
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}

interface InvokeErrorShape {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

type WorkerMessage =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'init-error'; error: InvokeErrorShape }
  | { type: 'log'; message: string; timestamp: number }
  | { type: 'result'; id: number; ok: true; payload: unknown; maxMemoryMb?: number }
  | { type: 'result'; id: number; ok: false; error: InvokeErrorShape; maxMemoryMb?: number };

class FunctionPool {
  readonly instances: Instance[] = [];
  private readonly waiting: ((i: Instance) => void)[] = [];
  private stopped = false;

  constructor(
    readonly fn: LocalFunction,
    private readonly host: FunctionHost,
    private readonly max: number,
  ) {}

  /** A new process; `reserved` ones go to the caller that asked for them, the others to the queue when ready. */
  private create(reserved: boolean): Instance {
    const stream = logStreamName();
    const instance = new Instance(
      this.fn,
      this.host,
      stream,
      this.host.environmentOf(this.fn, stream),
      reserved,
      (dead) => this.remove(dead),
    );
    this.instances.push(instance);
    if (!reserved) void instance.ready.then(() => this.release(instance));
    return instance;
  }

  private remove(dead: Instance): void {
    const i = this.instances.indexOf(dead);
    if (i >= 0) this.instances.splice(i, 1);
    // callers wait and there is room again: start a replacement for them
    if (!this.stopped && this.waiting.length > 0 && this.instances.length < this.max) this.create(false);
  }

  /** Starts one process ahead of the first invocation. */
  async warm(): Promise<void> {
    if (this.instances.length === 0) await this.create(false).ready;
  }

  async invoke(event: unknown): Promise<InvokeResult> {
    if (this.stopped) throw new Error(`function host is stopped (${this.fn.functionName})`);
    const started = Date.now();
    const instance = await this.acquire();
    const ready = await instance.ready;
    if (!ready.ok) {
      await instance.kill();
      return { ok: false, error: ready.error, durationMs: Date.now() - started };
    }
    const result = await instance.invoke(event);
    this.release(instance);
    return result;
  }

  private acquire(): Promise<Instance> {
    const idle = this.instances.find((i) => i.state === 'idle');
    if (idle) {
      idle.state = 'busy';
      return Promise.resolve(idle);
    }
    if (this.instances.length < this.max) return Promise.resolve(this.create(true));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(instance: Instance): void {
    if (instance.state !== 'idle') return;
    const next = this.waiting.shift();
    if (next) {
      instance.state = 'busy';
      next(instance);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.instances.map((i) => i.kill()));
    this.instances.length = 0;
  }

  /** For tests and `doctor`: pids of live processes. */
  pids(): number[] {
    return this.instances.map((i) => i.pid).filter((p): p is number => p !== undefined);
  }
}

export class FunctionHost implements Invoker {
  readonly logs: LogStore;
  private readonly pools = new Map<string, FunctionPool>();
  private readonly functions: readonly LocalFunction[];
  private verification?: Promise<void>;

  constructor(private readonly options: FunctionHostOptions) {
    this.logs = options.logs;
    this.functions = options.functions;
    for (const fn of options.functions) {
      this.pools.set(fn.arn, new FunctionPool(fn, this, options.maxInstancesPerFunction ?? 2));
    }
  }

  /**
   * Checks every function's bundle once (all in parallel) and rejects with a `BundleModuleError` listing each
   * function and module that Lambda would not provide. `warm`, `warmFunction` and `invoke` wait for it.
   */
  verifyBundles(): Promise<void> {
    if (this.options.checkBundles === false) return Promise.resolve();
    this.verification ??= Promise.all(this.functions.map((fn) => foreignModulesOf(fn))).then((lists) => {
      const problems = lists.flat();
      if (problems.length > 0) throw new BundleModuleError(problems);
    });
    return this.verification;
  }

  /** @internal */
  environmentOf(fn: LocalFunction, stream: string): Record<string, string> {
    // each instance gets its own log stream; the env carries its name like Lambda does
    return lambdaEnvironment(fn, this.options, stream);
  }

  /** @internal */
  diagnostic(message: string): void {
    this.options.onDiagnostic?.(message);
  }

  resolve(functionRef: string): LocalFunction | undefined {
    return findFunction({ functions: this.functions }, functionRef);
  }

  async invoke(functionRef: string, event: unknown): Promise<InvokeResult> {
    const fn = this.resolve(functionRef);
    if (!fn) {
      return {
        ok: false,
        error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${functionRef}` },
        durationMs: 0,
      };
    }
    try {
      await this.verifyBundles();
    } catch (err) {
      // what Lambda reports when the handler module cannot be loaded
      return {
        ok: false,
        error: { errorType: 'Runtime.ImportModuleError', errorMessage: (err as Error).message },
        durationMs: 0,
      };
    }
    return this.pools.get(fn.arn)!.invoke(event);
  }

  /** Starts one process per function (in parallel) so the first invocations are warm. */
  async warm(): Promise<void> {
    await this.verifyBundles();
    await Promise.all([...this.pools.values()].map((p) => p.warm()));
  }

  /** Starts one process of one function ahead of its first invocation. */
  async warmFunction(functionRef: string): Promise<void> {
    await this.verifyBundles();
    const fn = this.resolve(functionRef);
    if (fn) await this.pools.get(fn.arn)!.warm();
  }

  pids(functionRef: string): number[] {
    const fn = this.resolve(functionRef);
    return fn ? this.pools.get(fn.arn)!.pids() : [];
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
  }
}
