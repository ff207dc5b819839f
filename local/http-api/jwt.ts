import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import * as z from 'zod';
import { DEFAULT_STATE_DIR } from '#local/core/defaults';
import { JwtIssueError, JwtKeyFileError, JwtVerificationError } from './errors';

/**
 * The local stand-in for the API's JWT issuer (Cognito in AWS): one ES256 key pair, generated on first use
 * and kept in `<stateDir>/jwt-key.json` so the running runtime and `campusg token` share it. Tokens carry
 * `sub` and `cognito:groups` (customers / runners), issuer `campusg-local`, audience `campusg`.
 */

export const LOCAL_JWT_ISSUER = 'campusg-local';
export const LOCAL_JWT_AUDIENCE = 'campusg';
export const JWT_KEY_FILE = 'jwt-key.json';
const ALG = 'ES256';

export type LocalGroup = 'customers' | 'runners';

export interface IssueTokenOptions {
  readonly sub: string;
  readonly groups: readonly LocalGroup[];
  /** Default 3600. */
  readonly ttlSeconds?: number;
  /** Extra claims (e.g. `scope`); they cannot override the standard ones. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

const IssueSchema = z.object({
  sub: z.string().min(1, 'sub must be a non-empty user id'),
  groups: z
    .array(z.enum(['customers', 'runners'], { error: 'groups may only contain customers and runners' }))
    .min(1, 'groups needs at least one of customers, runners'),
  ttlSeconds: z
    .number()
    .int('ttlSeconds must be a whole number')
    .positive('ttlSeconds must be positive')
    .optional(),
});

const KeyFileSchema = z.object({
  kid: z.string().min(1),
  alg: z.literal(ALG),
  privateJwk: z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), d: z.string() }),
  publicJwk: z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256') }),
});
type KeyFile = z.infer<typeof KeyFileSchema>;

type Key = Awaited<ReturnType<typeof importJWK>>;

async function newKeyFile(): Promise<KeyFile> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  return {
    kid,
    alg: ALG,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG } as KeyFile['privateJwk'],
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG } as KeyFile['publicJwk'],
  };
}

function readKeyFile(path: string): KeyFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new JwtKeyFileError(`${path} is not JSON; delete it to generate a new local signing key`, {
      cause: err,
    });
  }
  const result = KeyFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new JwtKeyFileError(`${path} is not a local ES256 signing key; delete it to generate a new one`);
  }
  return result.data;
}

export class LocalJwt {
  private constructor(
    /** Absolute path of the key file. */
    readonly keyPath: string,
    readonly kid: string,
    private readonly privateKey: Key,
    private readonly publicKey: Key,
    /** The public key as a JWK (what a JWKS endpoint would serve). */
    readonly publicJwk: JWK,
  ) {}

  /** Loads the key of `stateDir` (default `.campusg` in the working directory), creating it if absent. */
  static async load(stateDir: string = DEFAULT_STATE_DIR): Promise<LocalJwt> {
    const dir = resolve(stateDir);
    const path = join(dir, JWT_KEY_FILE);
    let file = readKeyFile(path);
    if (!file) {
      mkdirSync(dir, { recursive: true });
      const fresh = await newKeyFile();
      // Write aside, then link into place: a concurrent opener either wins or reads a complete file.
      const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
      try {
        linkSync(tmp, path);
        file = fresh;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        file = readKeyFile(path)!;
      } finally {
        unlinkSync(tmp);
      }
    }
    return new LocalJwt(
      path,
      file.kid,
      await importJWK(file.privateJwk as JWK, ALG),
      await importJWK(file.publicJwk as JWK, ALG),
      file.publicJwk as JWK,
    );
  }

  /** A signed dev token for `sub` in `groups`. */
  async issueToken(options: IssueTokenOptions): Promise<string> {
    const parsed = IssueSchema.safeParse(options);
    if (!parsed.success) {
      throw new JwtIssueError(
        `cannot issue a token: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
    }
    const { sub, groups, ttlSeconds = 3600 } = parsed.data;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...options.claims, 'cognito:groups': groups, token_use: 'access' })
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' })
      .setIssuer(LOCAL_JWT_ISSUER)
      .setAudience(LOCAL_JWT_AUDIENCE)
      .setSubject(sub)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  /** The token's claims if it is ours, unexpired and meant for this API; a JwtVerificationError otherwise. */
  async verify(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: LOCAL_JWT_ISSUER,
        audience: LOCAL_JWT_AUDIENCE,
        algorithms: [ALG],
      });
      return payload;
    } catch (err) {
      if (err instanceof errors.JWTExpired)
        throw new JwtVerificationError('the token has expired', { cause: err });
      if (err instanceof errors.JWTClaimValidationFailed) {
        throw new JwtVerificationError(`the token's ${err.claim} claim is not valid: ${err.reason}`, {
          cause: err,
        });
      }
      if (err instanceof errors.JWSSignatureVerificationFailed) {
        throw new JwtVerificationError('the token signature does not match the local signing key', {
          cause: err,
        });
      }
      throw new JwtVerificationError(`the token is not a valid JWT: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
