/**
 * Who signed an AWS request: parses the SigV4 `Authorization` header (access key id, date, region,
 * service, signed headers, signature) and re-signs the request with `@smithy/signature-v4` (the SDK's
 * own signer) using the secret the runtime issued, so a request signed with the wrong secret is refused
 * like AWS refuses it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SigV4Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

/** The parts of a SigV4 Authorization header, or undefined when it is not one. */
export function parseAuthorization(header: string | undefined): SigV4Authorization | undefined {
  if (!header) return undefined;
  const m = AUTH.exec(header);
  if (!m) return undefined;
  return {
    accessKeyId: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.split(';'),
    signature: m[6]!,
  };
}

/** node:crypto behind the `Checksum` shape the smithy signer expects. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export interface RequestToVerify {
  readonly method: string;
  /** The path and query exactly as received (`req.url`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** `20240102T030405Z` -> Date. */
function amzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** Whether `auth.signature` is the signature of `request` under the given secret. */
export async function verifySignature(
  request: RequestToVerify,
  auth: SigV4Authorization,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Promise<boolean> {
  const dateHeader = request.headers['x-amz-date'];
  const signingDate = typeof dateHeader === 'string' ? amzDate(dateHeader) : undefined;
  if (!signingDate) return false;
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return false;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(request.url, 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const host = headers.host ?? '';
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      path: request.url.split('?')[0] ?? '/',
      query,
      headers,
      body: request.body.length ? request.body : undefined,
    },
    { signingDate, signingRegion: auth.region, signingService: auth.service },
  );
  const expected = parseAuthorization(
    String(signed.headers.authorization ?? signed.headers.Authorization),
  )?.signature;
  if (!expected) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(auth.signature, 'hex'));
}
