/**
 * Errors of the instance guard (local/instance-guard): a directory that a live process holds, and a guard
 * that cannot be created or read. Neither is retriable: the user has to stop the other process, choose
 * another directory or fix the file system.
 */
import type { GuardOwner } from './index';

export class InstanceGuardError extends Error {
  override name = 'InstanceGuardError';
  readonly retriable: boolean = false;
}

/** A live process holds the guard; `message` says what runs, how to stop it and how to run beside it. */
export class AlreadyRunningError extends InstanceGuardError {
  override name = 'AlreadyRunningError';

  constructor(
    message: string,
    /** What the owner answered; undefined when it holds the guard but did not answer in time. */
    readonly owner: GuardOwner | undefined,
    /** The guard's socket (or named pipe). */
    readonly socket: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
