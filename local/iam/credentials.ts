/**
 * Per-function credentials of the local runtime. Lambda hands every function the temporary credentials of
 * its execution role; locally each function gets its own access key id (derived from its name, so a log
 * line or a captured request names the function) and a secret and session token derived from a random
 * per-runtime secret (so they differ between runs and only the runtime can verify a signature). The AWS
 * API stand-ins find the function by the access key id of a request's SigV4 signature.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface IssuedCredentials {
  readonly functionName: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** Every key id the runtime issues starts with this (ASIA = temporary credentials, as Lambda's are). */
export const LOCAL_KEY_PREFIX = 'ASIACG';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** The access key id of a function: the same for a function name in every run. */
export function accessKeyIdFor(functionName: string): string {
  return LOCAL_KEY_PREFIX + base32(createHash('sha256').update(`campusg-local:${functionName}`).digest(), 14);
}

export class LocalCredentials {
  private readonly byKey = new Map<string, IssuedCredentials>();
  private readonly byFunction = new Map<string, IssuedCredentials>();

  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  /** The credentials of a function (issued on first call, the same afterwards). */
  issue(functionName: string): IssuedCredentials {
    const known = this.byFunction.get(functionName);
    if (known) return known;
    const derive = (purpose: string, bytes: number) =>
      createHmac('sha256', this.secret).update(`${purpose}:${functionName}`).digest().subarray(0, bytes);
    const issued: IssuedCredentials = {
      functionName,
      accessKeyId: accessKeyIdFor(functionName),
      secretAccessKey: derive('secret', 30).toString('base64'),
      sessionToken: `campusg-local/${derive('token', 48).toString('base64')}`,
    };
    const clash = this.byKey.get(issued.accessKeyId);
    if (clash) throw new Error(`functions ${clash.functionName} and ${functionName} derive the same key id`);
    this.byKey.set(issued.accessKeyId, issued);
    this.byFunction.set(functionName, issued);
    return issued;
  }

  /** The function an access key id was issued to, if any. */
  find(accessKeyId: string): IssuedCredentials | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** The environment variables Lambda sets for credentials. */
  environment(functionName: string): Record<string, string> {
    const c = this.issue(functionName);
    return {
      AWS_ACCESS_KEY_ID: c.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
      AWS_SESSION_TOKEN: c.sessionToken,
    };
  }
}
