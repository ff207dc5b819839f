/**
 * SASL for the embedded broker: validation of `SaslOptions` and the factory of per-connection exchanges.
 * Mechanisms live in their own files (plain.ts, scram.ts, oauthbearer.ts); `msk-iam.ts` verifies Amazon MSK
 * IAM tokens for OAUTHBEARER; `credentials.ts` builds options from a credentials file or CLI flags.
 */
import { oauthBearerExchange } from './oauthbearer';
import { plainExchange } from './plain';
import { scramExchange, scramLookup } from './scram';
import { SASL_MECHANISMS, type SaslExchange, type SaslMechanism, type SaslOptions } from './types';

export { type CredentialsSpec, loadCredentialsFile, saslFromCredentials } from './credentials';
export { MskIamTokenError, type MskIamVerifyOptions, verifyMskIamToken } from './msk-iam';
export { parseOAuthBearerMessage } from './oauthbearer';
export { DEFAULT_SCRAM_ITERATIONS, scramCredential } from './scram';
export * from './types';

/** Every problem with `options`, as sentences (empty when valid). */
export function saslProblems(options: SaslOptions): string[] {
  const problems: string[] = [];
  if (options.mechanisms.length === 0) problems.push('sasl.mechanisms is empty; name at least one mechanism');
  for (const mechanism of options.mechanisms) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      problems.push(`sasl mechanism ${mechanism} is not one of ${SASL_MECHANISMS.join(', ')}`);
    }
  }
  const has = (m: SaslMechanism) => options.mechanisms.includes(m);
  if (has('PLAIN') && !options.plain) problems.push('sasl mechanism PLAIN needs sasl.plain(user, password)');
  if ((has('SCRAM-SHA-256') || has('SCRAM-SHA-512')) && !options.scram) {
    problems.push('sasl mechanisms SCRAM-SHA-* need sasl.scram (users and passwords or stored credentials)');
  }
  if (has('OAUTHBEARER') && !options.oauthBearer) {
    problems.push('sasl mechanism OAUTHBEARER needs sasl.oauthBearer(token) (e.g. verifyMskIamToken)');
  }
  const listener = options.listener;
  if (listener !== undefined && listener !== 'main') {
    if (!Number.isInteger(listener.port) || listener.port < 0 || listener.port > 65535) {
      problems.push(`sasl.listener.port ${listener.port} is not 0..65535`);
    }
  }
  return problems;
}

/** Makes the exchange factory of a listener; `undefined` for a mechanism the options do not enable. */
export function exchangeFactory(options: SaslOptions): (mechanism: string) => SaslExchange | undefined {
  const lookup = options.scram ? scramLookup(options.scram) : undefined;
  return (mechanism) => {
    if (!(options.mechanisms as readonly string[]).includes(mechanism)) return undefined;
    switch (mechanism as SaslMechanism) {
      case 'PLAIN':
        return options.plain ? plainExchange(options.plain) : undefined;
      case 'SCRAM-SHA-256':
      case 'SCRAM-SHA-512':
        return lookup ? scramExchange(mechanism as 'SCRAM-SHA-256' | 'SCRAM-SHA-512', lookup) : undefined;
      case 'OAUTHBEARER':
        return options.oauthBearer ? oauthBearerExchange(options.oauthBearer) : undefined;
      default:
        return undefined;
    }
  };
}
