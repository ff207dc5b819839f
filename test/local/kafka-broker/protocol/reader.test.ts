/**
 * Reader and Writer primitives of the Kafka wire protocol (local/kafka-broker/protocol/reader.ts, writer.ts):
 * round trips of ints, varints, strings and arrays at their edges, and the request header read on top of them.
 */
import { TruncatedFrameError } from '#local/kafka-broker/errors';
import { readRequestHeader } from '#local/kafka-broker/protocol/header';
import { Reader } from '#local/kafka-broker/protocol/reader';
import { Writer } from '#local/kafka-broker/protocol/writer';
import { int32, request } from '#test/support/kafka-broker/raw-client';

describe('protocol primitives', () => {
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ])('encodes and decodes the zig-zag varint %i as %s', (value, hex) => {
    expect(new Writer().varint(value).toBuffer().toString('hex')).toBe(hex);
    expect(new Reader(Buffer.from(hex, 'hex')).varint()).toBe(value);
  });

  it.each([
    [0n, '00'],
    [-1n, '01'],
    [1_700_000_000_000n, '80a0abfef962'],
    [9223372036854775807n, 'feffffffffffffffff01'],
    [-9223372036854775808n, 'ffffffffffffffffff01'],
  ])('encodes and decodes the zig-zag varlong %s as %s', (value, hex) => {
    expect(new Writer().varlong(value).toBuffer().toString('hex')).toBe(hex);
    expect(new Reader(Buffer.from(hex, 'hex')).varlong()).toBe(value);
  });

  it('round-trips int64, strings, nullable and compact types', () => {
    const w = new Writer()
      .int64(-2n)
      .string('héllo')
      .nullableString(null)
      .compactString('k')
      .compactNullableString(null)
      .bytes(Buffer.from('ab'))
      .bytes(null)
      .compactArray([1, 2], (w, n) => w.int8(n))
      .taggedFields();
    const bytes = w.toBuffer();
    expect(bytes.toString('hex')).toBe(
      'fffffffffffffffe' +
        '000668c3a96c6c6f' +
        'ffff' +
        '026b' +
        '00' +
        '000000026162' +
        'ffffffff' +
        '030102' +
        '00',
    );
    const r = new Reader(bytes);
    expect([r.int64(), r.string(), r.nullableString(), r.compactString(), r.compactNullableString()]).toEqual(
      [-2n, 'héllo', null, 'k', null],
    );
    expect([r.bytes(), r.bytes()]).toEqual([Buffer.from('ab'), null]);
    expect(r.compactArray((r) => r.int8())).toEqual([1, 2]);
    r.taggedFields();
    expect(r.remaining).toBe(0);
  });

  it('keeps large byte blocks by reference in the output chunks', () => {
    const big = Buffer.alloc(4096, 7);
    const chunks = new Writer().int32(big.length).raw(big).int8(1).toChunks();
    expect(chunks).toContain(big);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([int32(4096), big, Buffer.from([1])]));
  });

  it('throws TruncatedFrameError when a field runs past the frame', () => {
    expect(() => new Reader(Buffer.from('0005616263', 'hex')).string()).toThrow(TruncatedFrameError);
    expect(() => new Reader(Buffer.from('7fffffff', 'hex')).array((r) => r.int8())).toThrow(
      TruncatedFrameError,
    );
  });

  it('parses request header v1 and v2 (tag section after the classic client id)', () => {
    const v1 = new Reader(request(3, 1, 7).subarray(4));
    expect(readRequestHeader(v1, () => false)).toEqual({
      apiKey: 3,
      apiVersion: 1,
      correlationId: 7,
      clientId: 'raw',
    });
    const v2frame = Buffer.concat([request(18, 3, 8).subarray(4), Buffer.from([0])]);
    const v2 = new Reader(v2frame);
    expect(readRequestHeader(v2, () => true).clientId).toBe('raw');
    expect(v2.remaining).toBe(0);
  });
});
