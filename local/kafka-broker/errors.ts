/**
 * Errors of the embedded broker. Kafka-level failures are data (an error code in the response, see
 * `protocol/error-codes.ts`); these classes are only for violations that end a connection (framing, header,
 * unsupported API/version) and for misuse of the broker's own API.
 */
export class BrokerError extends Error {
  override name = 'BrokerError';
  /** Whether retrying the same operation can succeed. */
  readonly retriable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The peer broke the wire protocol; its connection is closed, nothing else is affected. */
export class ProtocolViolationError extends BrokerError {
  override name = 'ProtocolViolationError';
}

/** A frame or field ended before its declared length. */
export class TruncatedFrameError extends ProtocolViolationError {
  override name = 'TruncatedFrameError';
}

/** A request names an API key or version this broker does not advertise. */
export class UnsupportedApiError extends ProtocolViolationError {
  override name = 'UnsupportedApiError';
}

/** Invalid options given to `startBroker`. */
export class BrokerConfigError extends BrokerError {
  override name = 'BrokerConfigError';
}
