import { DEFAULT_STATE_DIR } from '#local/core/defaults';
import { InvalidOption, type Io, positiveInt } from './output';

/**
 * What the long-running commands (`start`, `bridge`) share: their option parsers, the state-dir rule and
 * running until Ctrl-C.
 */

/** Parses a port option (0 = any free port). */
export function portOption(name: string): (value: string) => number {
  const parse = positiveInt(name, 0);
  return (value: string) => {
    const n = parse(value);
    if (n > 65535) throw new InvalidOption(`${name} must be a port number (0-65535), got ${value}`);
    return n;
  };
}

/** Parses `--time-scale`: a positive number. */
export function timeScaleOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidOption(`--time-scale must be a positive number, got ${value}`);
  return n;
}

const BROKER_LIST = /^[^,\s:]+:\d+(,[^,\s:]+:\d+)*$/;

/** Parses a `host:port[,host:port...]` option. */
export function brokerListOption(name: string): (value: string) => string {
  return (value: string) => {
    if (!BROKER_LIST.test(value)) {
      throw new InvalidOption(`${name} must be host:port[,host:port...], got ${value}`);
    }
    return value;
  };
}

/** The `--state-dir` option's help, the same for every command that reads or writes the state dir. */
export const STATE_DIR_HELP = `runtime.json and the dev-token key (jwt-key.json) live here (env CAMPUSG_STATE_DIR; default ${DEFAULT_STATE_DIR} in the current directory)`;

/** The state dir a command uses: flag, else CAMPUSG_STATE_DIR, else `.campusg` (relative to the cwd). */
export function stateDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.CAMPUSG_STATE_DIR ?? DEFAULT_STATE_DIR;
}

/**
 * A stop that has not finished after this long is abandoned: the process says so and exits (1). The
 * runtime bounds its own teardown well below this (Teardown's budget); this only guards against a bug.
 */
const STOP_LIMIT_MS = 45_000;

/**
 * Under `npm start` one Ctrl-C reaches this process more than once within milliseconds (the terminal signals
 * the whole process group and npm relays it too): repeats within this window are the same Ctrl-C.
 */
const REPEAT_WINDOW_MS = 1000;

/**
 * Waits for SIGINT / SIGTERM, then stops `what` once and prints "stopped". Further signals never abort a
 * stop in progress: under `npm start` one Ctrl-C reaches this process several times within milliseconds
 * (the terminal signals the whole process group, and npm and tsx relay it), and a stop cut short would leave
 * data half-flushed, children running and runtime.json behind. A signal after the repeat window (the user
 * pressing Ctrl-C again) is answered with "still stopping..." once. Resolves when stopped.
 */
export function runUntilSignal(io: Io, what: string, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stoppingSince: number | undefined;
    let stopped = false;
    let toldStillStopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      // Already stopped and still here (something holds the event loop): a signal ends the process.
      if (stopped) process.exit(process.exitCode ?? 0);
      if (stoppingSince !== undefined) {
        if (Date.now() - stoppingSince < REPEAT_WINDOW_MS || toldStillStopping) return;
        io.err.write(`${signal}: still stopping...\n`);
        toldStillStopping = true;
        return;
      }
      stoppingSince = Date.now();
      io.err.write(`\n${signal}: stopping the ${what}...\n`);
      const limit = setTimeout(() => {
        io.err.write(`campusg: the ${what} did not stop within ${STOP_LIMIT_MS / 1000} s; exiting\n`);
        process.exit(1);
      }, STOP_LIMIT_MS);
      limit.unref();
      stop()
        .catch((err) =>
          io.err.write(`campusg: while stopping: ${err instanceof Error ? err.message : String(err)}\n`),
        )
        .finally(() => {
          clearTimeout(limit);
          stopped = true;
          io.err.write('stopped\n');
          // Still listening: a late relayed signal must not kill the process with the default handler
          // (exit status 130) while it exits normally.
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Resolves once everything written to stdout and stderr so far is handed to the OS (before process.exit). */
export function flushOutput(): Promise<void> {
  return new Promise((resolve) => process.stdout.write('', () => process.stderr.write('', () => resolve())));
}
