/** Errors of the local HTTP API gateway and its JWT signer. */
export class HttpApiError extends Error {
  override name = 'HttpApiError';
  /** Whether retrying the same operation can succeed. */
  readonly retriable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A token is missing, malformed, badly signed, from another issuer or audience, or expired. */
export class JwtVerificationError extends HttpApiError {
  override name = 'JwtVerificationError';
}

/** Bad arguments to `issueToken` (no subject, unknown group, non-positive ttl). */
export class JwtIssueError extends HttpApiError {
  override name = 'JwtIssueError';
}

/** The signing key file exists but is not a key this module wrote. */
export class JwtKeyFileError extends HttpApiError {
  override name = 'JwtKeyFileError';
}

/** A route key of the app model is not `METHOD /path` or `$default`. */
export class RouteConfigError extends HttpApiError {
  override name = 'RouteConfigError';
}

/** `startHttpApi` could not listen (the port is taken, or the host is not an address of this machine). */
export class HttpApiStartError extends HttpApiError {
  override name = 'HttpApiStartError';
}
