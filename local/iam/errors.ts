/**
 * Errors of the local IAM enforcement. A denied call is not an exception of the runtime: the AWS API
 * stand-ins turn `AccessDeniedError` and `UnrecognizedClientError` into the wire shape AWS sends for the
 * service's protocol (see access-denied.ts). `IamConfigError` is a template the local IAM cannot read.
 */

export class IamError extends Error {
  override name = 'IamError';
  /** Whether retrying the same call can succeed. */
  readonly retriable: boolean = false;
}

/** The caller's policies do not allow the action on the resource (or a statement denies it). */
export class AccessDeniedError extends IamError {
  override name = 'AccessDeniedError';
  constructor(
    message: string,
    readonly action: string,
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The request is not signed with credentials the local runtime issued (or the signature is wrong). */
export class UnrecognizedClientError extends IamError {
  override name = 'UnrecognizedClientError';
  constructor(
    message: string,
    /** AWS error code: `UnrecognizedClientException`, `InvalidSignatureException`, `MissingAuthenticationTokenException`. */
    readonly code:
      | 'UnrecognizedClientException'
      | 'InvalidSignatureException'
      | 'MissingAuthenticationTokenException' = 'UnrecognizedClientException',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The assembly's IAM resources cannot be read into policies (unresolvable intrinsic, missing role). */
export class IamConfigError extends IamError {
  override name = 'IamConfigError';
}
