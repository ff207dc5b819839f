/**
 * Verifies the OAUTHBEARER tokens of Amazon MSK IAM authentication locally, so the code path that runs in
 * Lambda (kafkajs + `aws-msk-iam-sasl-signer-js`) runs unmodified against the embedded broker.
 *
 * The token is the base64url (unpadded) text of a SigV4-presigned URL:
 *   https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect&X-Amz-Algorithm=AWS4-HMAC-SHA256
 *     &X-Amz-Credential=<key id>%2F<yyyymmdd>%2F<region>%2Fkafka-cluster%2Faws4_request&X-Amz-Date=...
 *     &X-Amz-Expires=<s>&X-Amz-SignedHeaders=host[&X-Amz-Security-Token=...]&X-Amz-Signature=<hex>
 *     &User-Agent=<signer name>        (added after signing, so not part of the signature)
 *
 * The check recomputes the SigV4 signature (GET, path "/", the sorted query without X-Amz-Signature and
 * User-Agent, header host, payload hash of the empty body) with the secret `secretFor` returns for the
 * access key id, and verifies the action, the scope and the expiry. The principal is the access key id,
 * or what `secretFor` names (for example the role a temporary key belongs to).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface MskIamVerifyOptions {
  /** The secret access key of `accessKeyId` (and optionally the principal it stands for), or undefined. */
  secretFor(
    accessKeyId: string,
    sessionToken: string | undefined,
  ): string | { readonly secretAccessKey: string; readonly principal?: string } | undefined;
  /** Current time in ms (default Date.now()). */
  readonly now?: number | (() => number);
  /** Accepted clock skew for tokens signed in the future, ms. Default 5 minutes (as AWS). */
  readonly maxSkewMs?: number;
}

/** Why a token was refused; the message names the problem. */
export class MskIamTokenError extends Error {
  override name = 'MskIamTokenError';
}

const HOST = /^kafka(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;
const SERVICE = 'kafka-cluster';
const ACTION = 'kafka-cluster:Connect';
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const UNSIGNED = new Set(['X-Amz-Signature', 'User-Agent']);

/** RFC 3986 escaping, as SigV4's canonical query uses it. */
function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** Returns the principal of a valid MSK IAM token; throws `MskIamTokenError` naming the problem otherwise. */
export function verifyMskIamToken(token: string, options: MskIamVerifyOptions): string {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(token)) throw new MskIamTokenError('token is not base64url text');
  let url: URL;
  try {
    url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new MskIamTokenError('token does not decode to a URL (expected an MSK IAM presigned URL)');
  }
  const host = HOST.exec(url.hostname);
  if (url.protocol !== 'https:' || !host || url.pathname !== '/' || url.port !== '') {
    throw new MskIamTokenError(`token URL ${url.origin} is not https://kafka.<region>.amazonaws.com/`);
  }
  const region = host[2]!;
  const params = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (params.has(key)) throw new MskIamTokenError(`token URL repeats the query parameter ${key}`);
    params.set(key, value);
  }
  const need = (key: string): string => {
    const value = params.get(key);
    if (value === undefined || value === '') throw new MskIamTokenError(`token URL lacks ${key}`);
    return value;
  };
  if (need('Action') !== ACTION) {
    throw new MskIamTokenError(`token action is ${params.get('Action')}, expected ${ACTION}`);
  }
  if (need('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
    throw new MskIamTokenError('token is not signed with AWS4-HMAC-SHA256');
  }
  const [accessKeyId, shortDate, scopeRegion, service, terminator, ...extra] =
    need('X-Amz-Credential').split('/');
  if (!accessKeyId || extra.length > 0 || terminator !== 'aws4_request' || service !== SERVICE) {
    throw new MskIamTokenError(`token credential scope is not <key>/<date>/<region>/${SERVICE}/aws4_request`);
  }
  if (scopeRegion !== region) {
    throw new MskIamTokenError(`token is signed for region ${scopeRegion} but names host ${url.hostname}`);
  }
  const amzDate = need('X-Amz-Date');
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || amzDate.slice(0, 8) !== shortDate) {
    throw new MskIamTokenError(`token X-Amz-Date ${amzDate} is malformed or outside its credential scope`);
  }
  const expires = Number(need('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > 604_800) {
    throw new MskIamTokenError(`token X-Amz-Expires ${params.get('X-Amz-Expires')} is not 1..604800 s`);
  }
  const now = typeof options.now === 'function' ? options.now() : (options.now ?? Date.now());
  if (now > signedAt + expires * 1000) {
    throw new MskIamTokenError(`token expired at ${new Date(signedAt + expires * 1000).toISOString()}`);
  }
  if (signedAt - now > (options.maxSkewMs ?? 5 * 60_000)) {
    throw new MskIamTokenError(`token is signed in the future (${amzDate}); check the clock`);
  }
  if (need('X-Amz-SignedHeaders') !== 'host') {
    throw new MskIamTokenError('token must sign exactly the host header (X-Amz-SignedHeaders=host)');
  }
  const signature = need('X-Amz-Signature');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new MskIamTokenError('token signature is not 64 hex digits');

  const sessionToken = params.get('X-Amz-Security-Token');
  const secret = options.secretFor(accessKeyId, sessionToken);
  if (secret === undefined) throw new MskIamTokenError(`access key ${accessKeyId} is not known`);
  const secretAccessKey = typeof secret === 'string' ? secret : secret.secretAccessKey;
  const principal = typeof secret === 'string' ? accessKeyId : (secret.principal ?? accessKeyId);

  const query = [...params.keys()]
    .filter((key) => !UNSIGNED.has(key))
    .sort()
    .map((key) => `${uriEscape(key)}=${uriEscape(params.get(key)!)}`)
    .join('&');
  const scope = `${shortDate}/${region}/${SERVICE}/aws4_request`;
  let signingKey = hmac(`AWS4${secretAccessKey}`, shortDate);
  signingKey = hmac(hmac(hmac(signingKey, region), SERVICE), 'aws4_request');
  const expected = Buffer.from(signature, 'hex');
  // The JS and Java signers hash the empty body; accept UNSIGNED-PAYLOAD too (other SigV4 presigners).
  for (const payloadHash of [EMPTY_BODY_SHA256, 'UNSIGNED-PAYLOAD']) {
    const canonical = ['GET', '/', query, `host:${url.hostname}`, '', 'host', payloadHash].join('\n');
    const toSign = [
      'AWS4-HMAC-SHA256',
      amzDate,
      scope,
      createHash('sha256').update(canonical).digest('hex'),
    ].join('\n');
    if (timingSafeEqual(hmac(signingKey, toSign), expected)) return principal;
  }
  throw new MskIamTokenError(`token signature does not match the secret of access key ${accessKeyId}`);
}
