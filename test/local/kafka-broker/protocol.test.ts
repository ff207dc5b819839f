import { crc32c as reference } from '@aws-crypto/crc32c';
import { crc32c } from '@node-rs/crc32';
import { ProtocolViolationError, TruncatedFrameError } from '../../../local/kafka-broker/errors';
import { ErrorCode } from '../../../local/kafka-broker/protocol/error-codes';
import { FrameDecoder } from '../../../local/kafka-broker/protocol/frame';
import { readRequestHeader } from '../../../local/kafka-broker/protocol/header';
import { Reader } from '../../../local/kafka-broker/protocol/reader';
import {
  batchChecksum,
  patchBaseOffset,
  splitBatches,
} from '../../../local/kafka-broker/protocol/record-batch';
import { Writer } from '../../../local/kafka-broker/protocol/writer';
import { int32, recordBatch, request } from './raw-client';

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

describe('frame decoder', () => {
  it('splits several frames from one read and joins a frame split across reads', () => {
    const decoder = new FrameDecoder(1024);
    const a = Buffer.concat([int32(3), Buffer.from('abc')]);
    const b = Buffer.concat([int32(5), Buffer.from('hello')]);
    const stream = Buffer.concat([a, b, a]);
    expect(decoder.push(stream.subarray(0, 9))).toEqual([Buffer.from('abc')]);
    expect(decoder.push(stream.subarray(9, 10))).toEqual([]);
    expect(decoder.push(stream.subarray(10, 18))).toEqual([Buffer.from('hello')]);
    expect(decoder.push(stream.subarray(18))).toEqual([Buffer.from('abc')]);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('rejects a negative or oversize frame length', () => {
    expect(() => new FrameDecoder(1024).push(int32(1025))).toThrow(ProtocolViolationError);
    expect(() => new FrameDecoder(1024).push(int32(-1))).toThrow(ProtocolViolationError);
  });
});

describe('record batches', () => {
  it('accepts valid v2 batches and reads their header without decoding records', () => {
    const two = Buffer.concat([recordBatch('a', 1000n), recordBatch('b', 2000n)]);
    const split = splitBatches(two);
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(
      split.batches.map((b) => [b.recordCount, b.firstTimestamp, b.maxTimestamp, b.lastOffsetDelta]),
    ).toEqual([
      [1, 1000n, 1000n, 0],
      [1, 2000n, 2000n, 0],
    ]);
  });

  it('rejects a bad CRC-32C, an old magic byte and a truncated batch', () => {
    const corrupt = recordBatch('a');
    corrupt[corrupt.length - 1] ^= 1;
    expect(splitBatches(corrupt)).toEqual({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE });
    const magic1 = recordBatch('a');
    magic1[16] = 1;
    expect(splitBatches(magic1)).toEqual({ ok: false, errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT });
    expect(splitBatches(recordBatch('a').subarray(0, 40))).toEqual({
      ok: false,
      errorCode: ErrorCode.CORRUPT_MESSAGE,
    });
  });

  it('patches the base offset without invalidating the CRC', () => {
    const batch = recordBatch('a');
    patchBaseOffset(batch, 12345n);
    expect(batch.readBigInt64BE(0)).toBe(12345n);
    expect(splitBatches(batch).ok).toBe(true);
  });
});

describe('CRC-32C', () => {
  it('matches the published check value', () => {
    // CRC-32C of the ASCII digits 1..9 (RFC 3720, appendix B.4 lists it as the check value).
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with a second implementation on every length and alignment up to 64 bytes and on large buffers', () => {
    const data = Buffer.alloc(70_000);
    let x = 12345;
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      data[i] = x >>> 24;
    }
    for (let start = 0; start < 8; start++) {
      for (let len = 0; len <= 64; len++) {
        const slice = data.subarray(start, start + len);
        expect(crc32c(slice)).toBe(reference(slice) >>> 0);
      }
    }
    expect(crc32c(data)).toBe(reference(data) >>> 0);
  });

  it('is the checksum a batch carries (over attributes..end)', () => {
    const batch = recordBatch('checksum me', 1234n);
    expect(batchChecksum(batch)).toBe(batch.readUInt32BE(17));
  });
});
