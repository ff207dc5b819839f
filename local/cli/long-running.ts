import { DEFAULT_STATE_DIR } from '../http-api/jwt';
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
 * Under `npm start` one Ctrl-C reaches this process more than once within milliseconds: the terminal
 * signals the whole process group, and npm and tsx relay it too. Repeats within this window are one signal.
 */
const REPEAT_WINDOW_MS = 1000;

/**
 * Waits for SIGINT / SIGTERM, then stops `what` once; a second signal (after the repeat window) exits at
 * once (130). Resolves when stopped.
 */
export function runUntilSignal(io: Io, what: string, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stoppingSince: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stoppingSince !== undefined) {
        if (Date.now() - stoppingSince < REPEAT_WINDOW_MS) return;
        io.err.write(`\n${signal} again: exiting now\n`);
        process.exit(130);
      }
      stoppingSince = Date.now();
      io.err.write(`\n${signal}: stopping the ${what}...\n`);
      stop()
        .catch((err) =>
          io.err.write(`campusg: while stopping: ${err instanceof Error ? err.message : String(err)}\n`),
        )
        .finally(() => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          io.err.write('stopped\n');
          resolve();
        });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
