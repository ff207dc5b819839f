/**
 * The service error hierarchy. Every error says whether retrying can help (`retriable`): a batch consumer
 * fails the batch for a retriable error (the event-source mapping redelivers) and dead-letters the record
 * for a permanent one; the HTTP API maps each class to a status code.
 */
export abstract class CampusGError extends Error {
  abstract readonly retriable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A field problem, named by its dotted path (`items.0.quantity`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Input that breaks the API contract (HTTP 400). */
export class ValidationError extends CampusGError {
  override readonly name = 'ValidationError';
  readonly retriable = false;
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The caller presented no usable identity (HTTP 401). */
export class UnauthorizedError extends CampusGError {
  override readonly name = 'UnauthorizedError';
  readonly retriable = false;
}

/** The caller is known but may not do this (HTTP 403). */
export class ForbiddenError extends CampusGError {
  override readonly name = 'ForbiddenError';
  readonly retriable = false;
}

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends CampusGError {
  override readonly name = 'NotFoundError';
  readonly retriable = false;
}

/** The request body is larger than the API accepts (HTTP 413). */
export class PayloadTooLargeError extends CampusGError {
  override readonly name = 'PayloadTooLargeError';
  readonly retriable = false;
}

/** A request conflicts with the current state of the resource (HTTP 409), e.g. a reused idempotency key. */
export class ConflictError extends CampusGError {
  override readonly name: string = 'ConflictError';
  readonly retriable = false;
  constructor(
    message: string,
    readonly details: readonly Record<string, unknown>[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A state machine refuses a transition. Through the API it is a 409 naming the current state and the
 * action; in a consumer the record can never succeed, so it is dead-lettered as IMPOSSIBLE_TRANSITION.
 */
export class TransitionError extends ConflictError {
  override readonly name = 'TransitionError';
  constructor(
    readonly entity: string,
    readonly id: string,
    readonly current: string,
    readonly action: string,
    readonly allowedFrom: readonly string[],
  ) {
    super(
      `${entity} ${id} is ${current}; cannot ${action}${allowedFrom.length ? ` (allowed from ${allowedFrom.join(', ')})` : ''}`,
      [{ field: 'status', current, action, allowedFrom }],
    );
  }
}

/** A record that is well-formed but can never be processed by this consumer (dead-lettered as REJECTED). */
export class RejectedRecordError extends CampusGError {
  override readonly name = 'RejectedRecordError';
  readonly retriable = false;
}

/** Another writer changed the item between our read and our conditional write; re-read and try again. */
export class ConcurrentUpdateError extends CampusGError {
  override readonly name = 'ConcurrentUpdateError';
  readonly retriable = true;
}

/** A dependency (DynamoDB, Scheduler, payment provider, broker) failed in a way a retry may fix. */
export class TransientError extends CampusGError {
  override readonly name = 'TransientError';
  readonly retriable = true;
}

/** A required setting is missing; the function cannot work until it is configured. */
export class ConfigurationError extends CampusGError {
  override readonly name = 'ConfigurationError';
  readonly retriable = false;
}

/**
 * Whether an error is known to be permanent for the record that caused it. Anything unknown (SDK errors,
 * network errors, bugs) counts as transient: failing the batch and retrying never loses a record.
 */
export function isPermanent(error: unknown): boolean {
  return (
    error instanceof TransitionError ||
    error instanceof RejectedRecordError ||
    error instanceof ValidationError
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
