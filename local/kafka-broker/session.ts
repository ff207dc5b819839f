/**
 * Per-connection security state: the listener the client came in on, its SASL progress and the principal
 * the authorizer sees. Connections own one each; the SaslHandshake and SaslAuthenticate APIs advance it.
 */
import type { SaslExchange } from './sasl/types';
import { ANONYMOUS } from './sasl/types';

/** One TCP listener of the broker. */
export interface Listener {
  /** `PLAINTEXT` (no authentication) or `SASL_PLAINTEXT` (SASL required before anything but ApiVersions). */
  readonly securityProtocol: 'PLAINTEXT' | 'SASL_PLAINTEXT';
  /** The bound (and advertised) port; set once listening. */
  port: number;
  /** Mechanisms offered and the exchange factory, on SASL listeners. */
  readonly sasl?: {
    readonly mechanisms: readonly string[];
    exchange(mechanism: string): SaslExchange | undefined;
  };
}

export class Session {
  principal = ANONYMOUS;
  authenticated = false;
  /** The mechanism chosen by SaslHandshake, waiting for its tokens. */
  exchange: SaslExchange | undefined;
  /** After SaslHandshake v0 the tokens come as bare size-prefixed frames, not SaslAuthenticate requests. */
  rawTokens = false;
  /** Set when a response is the last one: the connection closes after writing it (failed authentication). */
  closeAfterResponse: string | undefined;

  constructor(readonly listener: Listener) {}

  /** Whether requests other than ApiVersions and the SASL ones must wait for authentication. */
  get mustAuthenticate(): boolean {
    return this.listener.sasl !== undefined && !this.authenticated;
  }

  succeed(principal: string): void {
    this.principal = principal;
    this.authenticated = true;
    this.exchange = undefined;
    this.rawTokens = false;
  }
}
