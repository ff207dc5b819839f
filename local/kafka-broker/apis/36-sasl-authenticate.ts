import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * SaslAuthenticate (key 36), versions 0-2 (v2 flexible).
 *
 * Request v0-1: auth_bytes bytes
 * Request v2: auth_bytes compact_bytes, tags
 * Response v0: error_code int16, error_message nullable string, auth_bytes bytes
 * Response v1: v0 + session_lifetime_ms int64 (0: no re-authentication required)
 * Response v2: compact encodings, tags
 *
 * Feeds one token to the mechanism chosen by SaslHandshake v1. A failed exchange answers
 * SASL_AUTHENTICATION_FAILED (58) with the reason and then closes the connection, as Kafka does; a request
 * without a preceding handshake gets ILLEGAL_SASL_STATE (34) and the same close.
 */
export interface SaslAuthenticateRequest {
  readonly authBytes: Buffer;
}

export interface SaslAuthenticateResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly authBytes: Buffer;
  readonly sessionLifetimeMs: bigint;
}

export const saslAuthenticate = defineApi<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  key: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 2,
  decode(r, version) {
    if (version >= 2) {
      const authBytes = r.compactBytes() ?? Buffer.alloc(0);
      r.taggedFields();
      return { authBytes };
    }
    return { authBytes: r.bytes() ?? Buffer.alloc(0) };
  },
  encode(w, res, version) {
    w.int16(res.errorCode);
    if (version >= 2) {
      w.compactNullableString(res.errorMessage).compactBytes(res.authBytes).int64(res.sessionLifetimeMs);
      w.taggedFields();
      return;
    }
    w.nullableString(res.errorMessage).bytes(res.authBytes);
    if (version >= 1) w.int64(res.sessionLifetimeMs);
  },
  async handle(req, _version, { session }) {
    const exchange = session.exchange;
    if (!exchange || session.rawTokens || session.authenticated) {
      const message = session.authenticated
        ? 'already authenticated'
        : 'SaslAuthenticate needs a SaslHandshake v1 first';
      session.closeAfterResponse = message;
      return failure(ErrorCode.ILLEGAL_SASL_STATE, message);
    }
    const step = await exchange.step(req.authBytes);
    if (step.kind === 'failed') {
      session.exchange = undefined;
      session.closeAfterResponse = `${exchange.mechanism} authentication failed: ${step.message}`;
      return failure(ErrorCode.SASL_AUTHENTICATION_FAILED, step.message);
    }
    if (step.kind === 'done') session.succeed(step.principal);
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.bytes, sessionLifetimeMs: 0n };
  },
  errorResponse(_req, _version, errorCode) {
    return failure(errorCode, null);
  },
});

function failure(errorCode: number, errorMessage: string | null): SaslAuthenticateResponse {
  return { errorCode, errorMessage, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
}
