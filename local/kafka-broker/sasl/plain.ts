/**
 * SASL PLAIN (RFC 4616): one client message `[authzid] NUL authcid NUL passwd`, checked by the configured
 * `plain` callback. As in Kafka, an authorization id other than the user itself is refused.
 */
import type { SaslExchange, SaslOptions, SaslStep } from './types';

export function plainExchange(check: NonNullable<SaslOptions['plain']>): SaslExchange {
  let used = false;
  return {
    mechanism: 'PLAIN',
    async step(token): Promise<SaslStep> {
      if (used) return { kind: 'failed', message: 'PLAIN takes exactly one message' };
      used = true;
      const parts = token.toString('utf8').split('\u0000');
      if (parts.length !== 3) {
        return { kind: 'failed', message: 'PLAIN message must be "authzid NUL user NUL password"' };
      }
      const [authzid, user, password] = parts as [string, string, string];
      if (user === '' || password === '') {
        return { kind: 'failed', message: 'PLAIN user name and password must not be empty' };
      }
      if (authzid !== '' && authzid !== user) {
        return { kind: 'failed', message: `PLAIN authorization id ${authzid} differs from user ${user}` };
      }
      const principal = await check(user, password);
      if (principal === undefined) {
        return {
          kind: 'failed',
          message: `Authentication failed: invalid user name or password for ${user}`,
        };
      }
      return { kind: 'done', bytes: Buffer.alloc(0), principal };
    },
  };
}
