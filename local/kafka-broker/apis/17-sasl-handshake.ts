import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * SaslHandshake (key 17), versions 0-1.
 *
 * Request v0-1: mechanism string
 * Response v0-1: error_code int16, mechanisms [string]
 *
 * Chooses the mechanism of the connection's listener. v1: the tokens follow in SaslAuthenticate (key 36)
 * requests. v0: they follow as bare int32-size-prefixed frames (no request header), as kafka-python and
 * old clients send them; the connection switches to that framing after this response. An unknown
 * mechanism gets UNSUPPORTED_SASL_MECHANISM (33) with the list; a handshake on a plaintext listener or
 * after authentication gets ILLEGAL_SASL_STATE (34).
 */
export interface SaslHandshakeRequest {
  readonly mechanism: string;
}

export interface SaslHandshakeResponse {
  readonly errorCode: number;
  readonly mechanisms: readonly string[];
}

export const saslHandshake = defineApi<SaslHandshakeRequest, SaslHandshakeResponse>({
  key: 17,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  decode(r) {
    return { mechanism: r.string() };
  },
  encode(w, res) {
    w.int16(res.errorCode).array(res.mechanisms, (w, m) => {
      w.string(m);
    });
  },
  handle(req, version, { session }) {
    const sasl = session.listener.sasl;
    if (!sasl || session.authenticated || session.exchange) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: sasl?.mechanisms ?? [] };
    }
    const exchange = sasl.exchange(req.mechanism);
    if (!exchange) {
      session.closeAfterResponse = `SASL mechanism ${req.mechanism} is not enabled (${sasl.mechanisms.join(', ')})`;
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: sasl.mechanisms };
    }
    session.exchange = exchange;
    session.rawTokens = version === 0;
    return { errorCode: ErrorCode.NONE, mechanisms: sasl.mechanisms };
  },
  errorResponse(_req, _version, errorCode) {
    return { errorCode, mechanisms: [] };
  },
});
