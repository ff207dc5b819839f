import { type Command, InvalidArgumentError as InvalidOption } from 'commander';
import { CliError, EXIT, type ExitCode } from '#local/core/errors';

/**
 * Shared output plumbing for `campusg` commands: where they write, the exit codes scripts can rely on,
 * and one wrapper that turns thrown errors into a message on stderr and an exit code.
 */

export {
  CliError,
  EXIT,
  type ExitCode,
  NotFoundError,
  SYSTEM_DOWN_HINT,
  UsageError,
} from '#local/core/errors';
export { formatCents } from '#local/core/format';

export interface Io {
  readonly out: { write(chunk: string): unknown };
  readonly err: { write(chunk: string): unknown };
  readonly in: NodeJS.ReadableStream;
}

export const processIo: Io = { out: process.stdout, err: process.stderr, in: process.stdin };

/** Collects what a command writes, for tests and for commands that build on other commands. */
export class BufferIo implements Io {
  private outText = '';
  private errText = '';
  readonly out = {
    write: (chunk: string) => {
      this.outText += chunk;
    },
  };
  readonly err = {
    write: (chunk: string) => {
      this.errText += chunk;
    },
  };
  readonly in: NodeJS.ReadableStream;
  constructor(input: NodeJS.ReadableStream = process.stdin) {
    this.in = input;
  }
  get stdout(): string {
    return this.outText;
  }
  get stderr(): string {
    return this.errText;
  }
}

export function line(io: Io, text = ''): void {
  io.out.write(`${text}\n`);
}

export function note(io: Io, text: string): void {
  io.err.write(`${text}\n`);
}

export function printJson(io: Io, value: unknown): void {
  io.out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Describes an unknown thrown value in one line, unwrapping kafkajs/AWS SDK/fetch errors. */
export function describeError(err: unknown): string {
  // Duck-typed: errors from another realm (fetch's TypeError under jest) fail `instanceof Error`.
  if (typeof err !== 'object' || err === null || typeof (err as Error).message !== 'string')
    return String(err);
  const e = err as Error & { cause?: unknown; errors?: unknown };
  // fetch() hides the socket error in `cause` (ECONNREFUSED and friends).
  if (e.message === 'fetch failed' && e.cause) return `${e.message}: ${describeError(e.cause)}`;
  if (e.name === 'AggregateError' && Array.isArray(e.errors) && e.errors.length > 0)
    return describeError(e.errors[0]);
  return e.message || e.name;
}

/**
 * Runs a command body: a returned exit code or a thrown CliError ends the process with that code; any
 * other error is reported on stderr and exits 1. Writes nothing to stdout on failure.
 */
export async function runCommand(io: Io, body: () => Promise<ExitCode>): Promise<ExitCode> {
  let code: ExitCode;
  try {
    code = await body();
  } catch (err) {
    code = err instanceof CliError ? err.exitCode : EXIT.FAILURE;
    io.err.write(`campusg: ${describeError(err)}\n`);
  }
  return code;
}

/** Wraps a commander action so its outcome becomes the process exit code. */
export function action<A extends unknown[]>(
  io: Io,
  body: (...args: A) => Promise<ExitCode>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await runCommand(io, () => body(...args));
    if (code !== EXIT.OK) process.exitCode = code;
  };
}

/**
 * Option parsers throw commander's InvalidArgumentError: commander reports it as
 * `error: option '...' argument '...' is invalid. <msg>` and main.ts turns that into exit code 2.
 */
export { InvalidOption };

/** Parses a positive whole number option value, or throws a usage error naming the option. */
export function positiveInt(name: string, min = 1): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidOption(`${name} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
    }
    return n;
  };
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds the `--json` flag with one help text everywhere. */
export function jsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print machine-readable JSON instead of text');
}

/** Pads columns of a table of strings to equal width (last column unpadded). */
export function table(rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join(gap)
      .trimEnd(),
  );
}

/** Parses `10m`, `2h`, `30s`, `1d`, `500ms` or an ISO date-time into epoch milliseconds before `now`. */
export function parseSince(value: string, now = Date.now()): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (m) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
      m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
    ];
    return now - Number(m[1]) * unit;
  }
  const t = Date.parse(value);
  if (!Number.isNaN(t) && /^\d{4}-\d{2}-\d{2}/.test(value)) return t;
  throw new InvalidOption(
    `expected a duration like 30s, 10m, 2h, 1d or an ISO date-time, got ${JSON.stringify(value)}`,
  );
}

/**
 * The order's acceptance deadline as a line for the CLI. The API's `acceptDeadline` is what the timer
 * function computed, in real time; under `npm start -- --time-scale n` the local scheduler fires it n times
 * sooner after the schedule was made (TIMER_STARTED), so both are shown. Undefined without a deadline.
 */
export function deadlineLine(order: Readonly<Record<string, unknown>>, timeScale = 1): string | undefined {
  if (typeof order.acceptDeadline !== 'string') return undefined;
  const deadline = Date.parse(order.acceptDeadline);
  if (Number.isNaN(deadline)) return undefined;
  const line = `  acceptDeadline ${order.acceptDeadline}`;
  if (timeScale === 1) return line;
  const started = (Array.isArray(order.history) ? order.history : []).find(
    (h): h is { at: string } => h?.type === 'TIMER_STARTED' && typeof h?.at === 'string',
  );
  const from = started ? Date.parse(started.at) : Number.NaN;
  if (Number.isNaN(from)) return `${line} (real time; the local scheduler runs x${timeScale})`;
  const fires = new Date(from + Math.max(0, deadline - from) / timeScale).toISOString();
  return `${line} (real time); at time scale x${timeScale} the local scheduler fires it at ${fires}`;
}
