/**
 * SASL settings from data instead of code, for `campusg broker` (flags) and a credentials file:
 *
 *   {
 *     "mechanisms": ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"],
 *     "users": { "alice": "alice-secret" },                    // PLAIN and SCRAM users (principal = name)
 *     "mskIam": { "AKIDEXAMPLE": "secret-access-key" },       // OAUTHBEARER: MSK IAM tokens signed with these
 *     "port": 9096                                             // optional: a second, SASL-only listener
 *   }
 *
 * Without "port" the main listener requires authentication. OAUTHBEARER accepts exactly the tokens that
 * `aws-msk-iam-sasl-signer-js` makes with one of the "mskIam" keys (principal = the access key id).
 */
import { readFileSync } from 'node:fs';
import { BrokerConfigError } from '../errors';
import { verifyMskIamToken } from './msk-iam';
import { SASL_MECHANISMS, type SaslMechanism, type SaslOptions } from './types';

export interface CredentialsSpec {
  readonly mechanisms?: readonly string[];
  readonly users?: Readonly<Record<string, string>>;
  readonly mskIam?: Readonly<Record<string, string>>;
  readonly port?: number;
}

/** Reads and checks a credentials file; throws `BrokerConfigError` naming the file and the problem. */
export function loadCredentialsFile(file: string): CredentialsSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BrokerConfigError(
      `cannot read SASL credentials file ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const problems: string[] = [];
  const spec = parsed as Record<string, unknown>;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BrokerConfigError(`SASL credentials file ${file} must hold a JSON object`);
  }
  for (const key of Object.keys(spec)) {
    if (!['mechanisms', 'users', 'mskIam', 'port'].includes(key)) {
      problems.push(`unknown key "${key}" (expected mechanisms, users, mskIam, port)`);
    }
  }
  if (spec.mechanisms !== undefined && !isStringArray(spec.mechanisms)) {
    problems.push('"mechanisms" must be an array of strings');
  }
  for (const key of ['users', 'mskIam'] as const) {
    if (spec[key] !== undefined && !isStringMap(spec[key]))
      problems.push(`"${key}" must map names to strings`);
  }
  if (spec.port !== undefined && (!Number.isInteger(spec.port) || (spec.port as number) < 0)) {
    problems.push('"port" must be a port number');
  }
  if (problems.length > 0) {
    throw new BrokerConfigError(`SASL credentials file ${file} is invalid: ${problems.join('; ')}`);
  }
  return spec as CredentialsSpec;
}

/**
 * SaslOptions from users and MSK IAM keys. Without explicit mechanisms: PLAIN and both SCRAMs when there
 * are users, OAUTHBEARER when there are MSK IAM keys.
 */
export function saslFromCredentials(spec: CredentialsSpec): SaslOptions {
  const users = spec.users ?? {};
  const keys = spec.mskIam ?? {};
  const hasUsers = Object.keys(users).length > 0;
  const hasKeys = Object.keys(keys).length > 0;
  const mechanisms = (spec.mechanisms ?? [
    ...(hasUsers ? ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] : []),
    ...(hasKeys ? ['OAUTHBEARER'] : []),
  ]) as SaslMechanism[];
  const unknown = mechanisms.filter((m) => !(SASL_MECHANISMS as readonly string[]).includes(m));
  if (unknown.length > 0) {
    throw new BrokerConfigError(
      `unknown SASL mechanism ${unknown.join(', ')}; use ${SASL_MECHANISMS.join(', ')}`,
    );
  }
  if (mechanisms.length === 0) {
    throw new BrokerConfigError('SASL needs users (name:password) or MSK IAM keys (key id:secret)');
  }
  return {
    mechanisms,
    plain: (user, password) => (Object.hasOwn(users, user) && users[user] === password ? user : undefined),
    scram: users,
    oauthBearer: async (token) =>
      verifyMskIamToken(token, { secretFor: (id) => (Object.hasOwn(keys, id) ? keys[id] : undefined) }),
    ...(spec.port === undefined ? {} : { listener: { port: spec.port } }),
  };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}
