import { createHash } from 'node:crypto';

/**
 * Deterministic event id: the same logical event always gets the same id, so a re-delivered input that
 * makes a service re-emit its output produces a byte-identical duplicate that consumers de-duplicate.
 *
 * The id is a name-based UUID (version 5 layout, SHA-1 over the parts) in the CampusG namespace.
 */
const NAMESPACE = 'campusg.event.v1';

export function eventId(type: string, ...parts: (string | number)[]): string {
  for (const p of parts) {
    if (p === '' || p === undefined || p === null) throw new TypeError(`eventId(${type}): empty part`);
  }
  const hash = createHash('sha1')
    .update([NAMESPACE, type, ...parts.map(String)].join('\u0000'))
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
