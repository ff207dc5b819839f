/**
 * SASL configuration of the embedded broker and the contract every mechanism implements. A mechanism is a
 * small state machine (`SaslExchange`) fed the client's tokens one at a time; the SaslAuthenticate API (or
 * the raw framing after a SaslHandshake v0) carries those tokens. The result of a successful exchange is a
 * principal: a free-form string that the authorizer hook receives (`ANONYMOUS` before authentication).
 */

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** The principal of a connection that has not authenticated (plaintext listener), as Kafka names it. */
export const ANONYMOUS = 'ANONYMOUS';

/** A stored SCRAM credential (RFC 5802): what a server keeps instead of the password. */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** Per user: a plain password (credentials are derived from it for each SCRAM mechanism) or stored ones. */
export type ScramUser = string | { readonly [M in ScramMechanism]?: ScramCredential };

export interface SaslOptions {
  /** Mechanisms offered in SaslHandshake, in this order. */
  readonly mechanisms: readonly SaslMechanism[];
  /** PLAIN: returns the principal for a valid user/password, undefined to refuse. */
  plain?(user: string, password: string): string | undefined | Promise<string | undefined>;
  /** SCRAM-SHA-256/512 users; the principal is the user name. */
  readonly scram?: { readonly [user: string]: ScramUser };
  /** OAUTHBEARER: returns the principal for a valid token, undefined to refuse (see `verifyMskIamToken`). */
  oauthBearer?(token: string, extensions: Readonly<Record<string, string>>): Promise<string | undefined>;
  /**
   * Where authentication is required: `'main'` (default) makes the main listener require it; `{ port }`
   * opens a second listener on that port (0 = any free one) that requires it, and the main one stays
   * plaintext (principal `ANONYMOUS`).
   */
  readonly listener?: 'main' | { readonly port: number };
}

/** What one step of an exchange produced. */
export type SaslStep =
  | { readonly kind: 'challenge'; readonly bytes: Buffer }
  | { readonly kind: 'done'; readonly bytes: Buffer; readonly principal: string }
  | { readonly kind: 'failed'; readonly message: string };

/** One authentication attempt of one mechanism on one connection. */
export interface SaslExchange {
  readonly mechanism: SaslMechanism;
  step(token: Buffer): Promise<SaslStep>;
}
