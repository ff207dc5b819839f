/**
 * The one stable JSON serializer: key order never matters, and `undefined` is treated exactly as
 * JSON.stringify treats it (an object member is dropped, an array element becomes null), so an event id
 * or request hash computed before a JSON round trip equals the one computed after it.
 */
import { stableJson } from '#shared/contracts';

describe('stableJson', () => {
  it('sorts object keys at every depth', () => {
    expect(stableJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(stableJson({ b: 1, a: 2 })).toBe(stableJson({ a: 2, b: 1 }));
  });

  it('drops undefined object members, as JSON.stringify does', () => {
    expect(stableJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(stableJson({ a: 1, b: undefined })).toBe(stableJson({ a: 1 }));
  });

  it('writes an undefined array element as null, as JSON.stringify does', () => {
    expect(stableJson([1, undefined, 2])).toBe(JSON.stringify([1, undefined, 2]));
  });

  it('agrees with JSON.stringify on values without object keys to sort', () => {
    for (const v of [null, true, 0, -1.5, 'a"b', [], {}, [null, 'x'], new Date('2026-03-19T13:00:00.000Z')])
      expect(stableJson(v)).toBe(JSON.stringify(v));
  });

  it('gives the same text before and after a JSON round trip', () => {
    const value = {
      items: [{ sku: 'a', note: undefined, qty: 2 }],
      deliveryLocation: 'L1',
      extra: undefined,
    };
    expect(stableJson(JSON.parse(JSON.stringify(value)))).toBe(stableJson(value));
  });
});
