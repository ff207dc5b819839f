/**
 * The one stable JSON serializer: object keys sorted, so equal values always give equal text (event ids and
 * request hashes are derived from it). Members whose value is `undefined` are dropped and an `undefined`
 * array element becomes `null`, exactly as JSON.stringify does, so a value and its JSON round trip agree.
 */
export function stableJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`;
  if (value && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
