import type { Reader } from './reader';
import type { Writer } from './writer';

/**
 * Request header v1 (classic):   api_key int16, api_version int16, correlation_id int32, client_id nullable string
 * Request header v2 (flexible):  header v1, then a tagged-field section (client_id stays non-compact)
 * Response header v0:            correlation_id int32
 * Response header v1 (flexible): correlation_id int32, tagged fields (never for ApiVersions)
 *
 * Header v0 (no client id) belongs to controlled-shutdown v0 only, which this broker does not serve.
 */
export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/** Reads key, version and correlation id; the rest depends on the API's flexibility. */
export function readRequestHeader(r: Reader, isFlexible: (apiKey: number, version: number) => boolean) {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  if (isFlexible(apiKey, apiVersion)) r.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId } satisfies RequestHeader;
}

/** Peeks key, version and correlation id without consuming (for error replies before full parsing). */
export function peekRequestIds(frame: Buffer): { apiKey: number; apiVersion: number; correlationId: number } {
  if (frame.length < 8) return { apiKey: -1, apiVersion: -1, correlationId: -1 };
  return {
    apiKey: frame.readInt16BE(0),
    apiVersion: frame.readInt16BE(2),
    correlationId: frame.readInt32BE(4),
  };
}

export function writeResponseHeader(w: Writer, correlationId: number, flexible: boolean): void {
  w.int32(correlationId);
  if (flexible) w.taggedFields();
}
