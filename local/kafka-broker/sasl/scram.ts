/**
 * SASL SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677), server side, as Kafka runs it:
 *
 *   client-first  n,[a=authzid],n=user,r=cnonce[,extensions]
 *   server-first  r=cnonce+snonce,s=base64(salt),i=iterations
 *   client-final  c=base64(gs2 header),r=nonce,p=base64(ClientProof)
 *   server-final  v=base64(ServerSignature)
 *
 * The server keeps StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword,
 * "Server Key"); `scramCredential` derives them from a password (PBKDF2, 4096 iterations by default,
 * Kafka's minimum). The principal is the user name.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SaslExchange, SaslStep, ScramCredential, ScramMechanism, ScramUser } from './types';

const HASH: Record<ScramMechanism, { name: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { name: 'sha512', bytes: 64 },
};

export const DEFAULT_SCRAM_ITERATIONS = 4096;

/** Derives the stored credential for `password` (random 16-byte salt unless given). */
export function scramCredential(
  password: string,
  mechanism: ScramMechanism,
  options: { salt?: Buffer; iterations?: number } = {},
): ScramCredential {
  const { name, bytes } = HASH[mechanism];
  const salt = options.salt ?? randomBytes(16);
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, bytes, name);
  const clientKey = createHmac(name, salted).update('Client Key').digest();
  return {
    salt,
    iterations,
    storedKey: createHash(name).update(clientKey).digest(),
    serverKey: createHmac(name, salted).update('Server Key').digest(),
  };
}

/** Looks up (and for password users derives once) the credential of `user` for `mechanism`. */
export function scramLookup(users: {
  readonly [user: string]: ScramUser;
}): (user: string, mechanism: ScramMechanism) => ScramCredential | undefined {
  const derived = new Map<string, ScramCredential>();
  return (user, mechanism) => {
    if (!Object.hasOwn(users, user)) return undefined;
    const entry = users[user]!;
    if (typeof entry !== 'string') return entry[mechanism];
    const key = `${mechanism}\u0000${user}`;
    let credential = derived.get(key);
    if (!credential) {
      credential = scramCredential(entry, mechanism);
      derived.set(key, credential);
    }
    return credential;
  };
}

/** RFC 5802 saslname: "=2C" is ",", "=3D" is "="; any other "=" is malformed. */
function decodeSaslName(value: string): string | undefined {
  if (/=(?!2C|3D)/.test(value)) return undefined;
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function attributes(message: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) return undefined;
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

export function scramExchange(
  mechanism: ScramMechanism,
  lookup: (user: string, mechanism: ScramMechanism) => ScramCredential | undefined,
): SaslExchange {
  const { name } = HASH[mechanism];
  let state:
    | { phase: 'first' }
    | {
        phase: 'final';
        user: string;
        credential: ScramCredential;
        nonce: string;
        authPrefix: string;
        gs2: string;
      }
    | { phase: 'over' } = { phase: 'first' };
  const fail = (message: string): SaslStep => {
    state = { phase: 'over' };
    return { kind: 'failed', message };
  };

  return {
    mechanism,
    async step(token): Promise<SaslStep> {
      const text = token.toString('utf8');
      if (state.phase === 'first') {
        // gs2-header: "n," or "y," then an optional "a=authzid", then ","
        const match = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(text);
        if (!match)
          return fail(`${mechanism} client-first message is malformed (expected "n,,n=user,r=nonce")`);
        const gs2 = `${match[1]},${match[2] ?? ''},`;
        const bare = match[3]!;
        const attrs = attributes(bare);
        const user = attrs?.get('n') !== undefined ? decodeSaslName(attrs.get('n')!) : undefined;
        const clientNonce = attrs?.get('r');
        if (!attrs || user === undefined || !clientNonce) {
          return fail(`${mechanism} client-first message lacks a valid user name (n=) or nonce (r=)`);
        }
        const authzid = match[2] ? decodeSaslName(match[2].slice(2)) : undefined;
        if (authzid !== undefined && authzid !== '' && authzid !== user) {
          return fail(`${mechanism} authorization id ${authzid} differs from user ${user}`);
        }
        const credential = lookup(user, mechanism);
        if (!credential) return fail(`Authentication failed: invalid credentials for user ${user}`);
        const nonce = clientNonce + randomBytes(18).toString('base64url');
        const serverFirst = `r=${nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
        state = { phase: 'final', user, credential, nonce, authPrefix: `${bare},${serverFirst}`, gs2 };
        return { kind: 'challenge', bytes: Buffer.from(serverFirst) };
      }
      if (state.phase === 'final') {
        const { user, credential, nonce, authPrefix, gs2 } = state;
        const proofAt = text.lastIndexOf(',p=');
        const attrs = attributes(text);
        if (proofAt < 0 || !attrs) return fail(`${mechanism} client-final message is malformed`);
        // Kafka checks only that the echoed nonce ends with its own; librdkafka 2.0 relies on that, as it
        // sends its client nonce twice (cnonce + the server's full nonce).
        if (!attrs.get('r')?.endsWith(nonce)) return fail(`${mechanism} nonce mismatch`);
        if (attrs.get('c') !== Buffer.from(gs2).toString('base64')) {
          return fail(`${mechanism} channel binding does not match the client-first message`);
        }
        const authMessage = `${authPrefix},${text.slice(0, proofAt)}`;
        const proof = Buffer.from(attrs.get('p') ?? '', 'base64');
        const clientSignature = createHmac(name, credential.storedKey).update(authMessage).digest();
        if (proof.length !== clientSignature.length) return fail(`Authentication failed for user ${user}`);
        const clientKey = Buffer.alloc(proof.length);
        for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
        const storedKey = createHash(name).update(clientKey).digest();
        if (!timingSafeEqual(storedKey, credential.storedKey)) {
          return fail(`Authentication failed: invalid credentials for user ${user}`);
        }
        const serverSignature = createHmac(name, credential.serverKey).update(authMessage).digest();
        state = { phase: 'over' };
        return {
          kind: 'done',
          bytes: Buffer.from(`v=${serverSignature.toString('base64')}`),
          principal: user,
        };
      }
      return fail(`${mechanism} exchange is already over`);
    },
  };
}
