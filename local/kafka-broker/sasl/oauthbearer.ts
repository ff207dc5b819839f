/**
 * SASL OAUTHBEARER (RFC 7628), server side. One client message:
 *
 *   gs2-header  "n," ["a=" authzid] ","
 *   then        0x01 "auth=Bearer " token 0x01 *(key "=" value 0x01) 0x01
 *
 * The token (and the extensions, Kafka's KIP-342) go to the configured `oauthBearer` callback, which
 * returns the principal or undefined. A refused token ends the exchange with SASL_AUTHENTICATION_FAILED
 * rather than RFC 7628's error challenge: every client we serve reports the error code either way.
 */
import type { SaslExchange, SaslOptions, SaslStep } from './types';

const SEP = '\u0001';

/** Splits a client-first message into token and extensions; undefined when malformed. */
export function parseOAuthBearerMessage(
  message: string,
): { token: string; extensions: Record<string, string> } | undefined {
  const gs2 = /^[ny],(a=[^,]*)?,/.exec(message);
  if (!gs2) return undefined;
  const rest = message.slice(gs2[0].length);
  if (!rest.startsWith(SEP) || !rest.endsWith(SEP + SEP)) return undefined;
  let token: string | undefined;
  const extensions: Record<string, string> = {};
  for (const pair of rest.slice(1, -2).split(SEP)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === 'auth') {
      const bearer = /^Bearer +(\S+)$/i.exec(value);
      if (!bearer) return undefined;
      token = bearer[1];
    } else {
      extensions[key] = value;
    }
  }
  return token === undefined ? undefined : { token, extensions };
}

export function oauthBearerExchange(verify: NonNullable<SaslOptions['oauthBearer']>): SaslExchange {
  let used = false;
  return {
    mechanism: 'OAUTHBEARER',
    async step(bytes): Promise<SaslStep> {
      if (used) return { kind: 'failed', message: 'OAUTHBEARER takes exactly one message' };
      used = true;
      const parsed = parseOAuthBearerMessage(bytes.toString('utf8'));
      if (!parsed) {
        return {
          kind: 'failed',
          message: 'OAUTHBEARER message is malformed (expected "n,,\\x01auth=Bearer <token>\\x01\\x01")',
        };
      }
      let principal: string | undefined;
      try {
        principal = await verify(parsed.token, parsed.extensions);
      } catch (err) {
        return {
          kind: 'failed',
          message: `OAUTHBEARER token refused: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
      if (principal === undefined) return { kind: 'failed', message: 'OAUTHBEARER token refused' };
      return { kind: 'done', bytes: Buffer.alloc(0), principal };
    },
  };
}
