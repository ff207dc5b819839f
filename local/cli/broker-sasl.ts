/**
 * The SASL flags of `campusg broker` (users, MSK IAM keys, a credentials file, mechanisms, a separate SASL
 * port), kept apart from the command itself so that the broker's security options have one home.
 */
import { type Command, InvalidArgumentError } from 'commander';
import {
  type CredentialsSpec,
  loadCredentialsFile,
  type SaslOptions,
  saslFromCredentials,
} from '#local/kafka-broker/index';
import { portOption } from './long-running';

export interface SaslFlags {
  readonly saslCredentials?: string;
  readonly saslUser?: readonly string[];
  readonly mskIamKey?: readonly string[];
  readonly saslMechanisms?: string;
  readonly saslPort?: number;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the SASL flags to `command`. */
export function withSaslOptions(command: Command): Command {
  return command
    .option('--sasl-user <name:password>', 'a SASL PLAIN/SCRAM user (repeatable)', collect)
    .option(
      '--msk-iam-key <keyId:secret>',
      'accept MSK IAM (OAUTHBEARER) tokens signed with this AWS access key (repeatable)',
      collect,
    )
    .option(
      '--sasl-credentials <file>',
      'JSON file {"users":{"name":"password"},"mskIam":{"keyId":"secret"},"mechanisms":[...],"port":n}',
    )
    .option(
      '--sasl-mechanisms <list>',
      'comma-separated PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER (default: what the credentials allow)',
    )
    .option(
      '--sasl-port <port>',
      'serve SASL on this second port, --port stays plaintext (default: --port itself requires SASL)',
      portOption('--sasl-port'),
    );
}

/** `name:secret` pairs into a map; the name may not contain ':' (the secret may). */
function pairs(flag: string, values: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1) {
      throw new InvalidArgumentError(`${flag} ${value} must look like name:secret`);
    }
    out[value.slice(0, colon)] = value.slice(colon + 1);
  }
  return out;
}

/** SASL options from the flags (and the credentials file they name); undefined when none is given. */
export function saslFromFlags(opts: SaslFlags): SaslOptions | undefined {
  const file: CredentialsSpec = opts.saslCredentials ? loadCredentialsFile(opts.saslCredentials) : {};
  const users = { ...file.users, ...pairs('--sasl-user', opts.saslUser) };
  const mskIam = { ...file.mskIam, ...pairs('--msk-iam-key', opts.mskIamKey) };
  const mechanisms = opts.saslMechanisms?.split(',').map((m) => m.trim().toUpperCase()) ?? file.mechanisms;
  const port = opts.saslPort ?? file.port;
  const given = Object.keys(users).length + Object.keys(mskIam).length > 0 || mechanisms !== undefined;
  if (!given && port === undefined) return undefined;
  return saslFromCredentials({ users, mskIam, mechanisms, port });
}
