/**
 * Errors meant for the user as they are, with the exit code a command ends with. They live in the core
 * because code below the CLI (local/inspect, read by both the CLI and the console) raises them too; the
 * CLI's output module re-exports them.
 */

/** Exit codes of every `campusg` command. */
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** Something failed: a check, a request, a broker or API error. */
  FAILURE: 1,
  /** The command line is wrong (unknown option, bad value). Commander's own errors map here too. */
  USAGE: 2,
  /** The thing asked for does not exist (topic, order, log group, trace). */
  NOT_FOUND: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is meant for the user as is, with the exit code it should end the command with. */
/** What a command adds when it cannot reach the local system: the same words everywhere. */
export const SYSTEM_DOWN_HINT = 'is the system running? try `node bin/campusg.js doctor`';

export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.FAILURE,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.USAGE, options);
  }
}

export class NotFoundError extends CliError {
  override readonly name = 'NotFoundError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.NOT_FOUND, options);
  }
}

/** Where a command reads and writes. Tests pass their own; the CLI uses the process streams. */
