/**
 * The frame decoder (local/kafka-broker/protocol/frame.ts): size-prefixed frames split and joined across
 * reads, and negative or oversize lengths refused.
 */
import { ProtocolViolationError } from '#local/kafka-broker/errors';
import { FrameDecoder } from '#local/kafka-broker/protocol/frame';
import { int32 } from '#test/support/kafka-broker/raw-client';

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
