/**
 * Errors of the AWS API emulator. Each one is an AWS service error as the SDK parses it: `code` is the
 * error type (sent as `x-amzn-errortype` and `__type`), `statusCode` the HTTP status AWS uses for it.
 * Handlers throw them; the server turns them into the wire shape of the protocol being served.
 */
export class AwsApiError extends Error {
  override name = 'AwsApiError';
  /** Whether retrying the same request can succeed. */
  readonly retriable: boolean = false;

  constructor(
    /** The AWS error type, e.g. `ResourceNotFoundException`. */
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A request field breaks a constraint of the API (pattern, range, required member). */
export class ValidationError extends AwsApiError {
  override name = 'ValidationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ValidationException', message, 400, options);
  }
}

/** The named resource (schedule, group, function, log group) does not exist. */
export class ResourceNotFoundError extends AwsApiError {
  override name = 'ResourceNotFoundError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ResourceNotFoundException', message, 404, options);
  }
}

/** The resource already exists (a second CreateSchedule without the first one's ClientToken). */
export class ConflictError extends AwsApiError {
  override name = 'ConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ConflictException', message, 409, options);
  }
}

/** The request body is not the JSON the operation expects. */
export class SerializationError extends AwsApiError {
  override name = 'SerializationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SerializationException', message, 400, options);
  }
}

/** The request names an operation (or a service) this emulator does not implement. */
export class UnknownOperationError extends AwsApiError {
  override name = 'UnknownOperationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('UnknownOperationException', message, 400, options);
  }
}

/** The request body is larger than the emulator accepts. */
export class RequestTooLargeError extends AwsApiError {
  override name = 'RequestTooLargeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('RequestTooLargeException', message, 413, options);
  }
}

/** An unexpected failure inside the emulator; the request may succeed if retried. */
export class InternalError extends AwsApiError {
  override name = 'InternalError';
  override readonly retriable = true;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, 500, options);
  }
}

/** `startAwsApi` could not listen (the port is taken, or the host is not an address of this machine). */
export class AwsApiStartError extends Error {
  override name = 'AwsApiStartError';
  readonly retriable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
