import { ProtocolViolationError } from '../errors';

/**
 * Splits a TCP byte stream into int32-length-prefixed frames. A socket read may hold several frames or a
 * part of one; chunks are kept as received and joined once per frame, so a large frame arriving in many
 * reads is copied once.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameLength = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned as a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feeds one read; returns the frames it completed (bodies without the length prefix). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.frameLength < 0) {
        if (this.buffered < 4) break;
        const length = this.peekLength();
        if (length < 0 || length > this.maxFrameBytes) {
          throw new ProtocolViolationError(`frame of ${length} bytes is outside 0..${this.maxFrameBytes}`);
        }
        this.consume(4);
        this.frameLength = length;
      }
      if (this.buffered < this.frameLength) break;
      frames.push(this.consume(this.frameLength));
      this.frameLength = -1;
    }
    return frames;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    return Buffer.concat(this.chunks, 4).readInt32BE(0);
  }

  private consume(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0]!;
        const take = Math.min(chunk.length, n - filled);
        chunk.copy(out, filled, 0, take);
        filled += take;
        if (take === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(take);
      }
    }
    this.buffered -= n;
    return out;
  }
}

/** Prefixes a response (header + body chunks) with its int32 size. */
export function frameChunks(chunks: Buffer[]): Buffer[] {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(size, 0);
  return [prefix, ...chunks];
}
