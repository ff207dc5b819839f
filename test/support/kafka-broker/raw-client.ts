import { connect, type Socket } from 'node:net';
import { crc32c } from '@aws-crypto/crc32c';

/** A bare TCP client speaking just enough of the framing to poke the broker with good and bad bytes. */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private waiters: ((frame: Buffer) => void)[] = [];
  private readonly frames: Buffer[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        const waiter = this.waiters.shift();
        if (waiter) waiter(frame);
        else this.frames.push(frame);
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Next response frame (correlation id first). */
  next(): Promise<Buffer> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Frames a request: size, api key, version, correlation id, client id, body. */
export function request(
  apiKey: number,
  version: number,
  correlationId: number,
  body: Buffer = Buffer.alloc(0),
) {
  const clientId = Buffer.from('raw');
  const header = Buffer.alloc(10 + clientId.length);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  clientId.copy(header, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length, 0);
  return Buffer.concat([size, header, body]);
}

export function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n, 0);
  return b;
}

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
}

export function int64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n, 0);
  return b;
}

export function str(s: string): Buffer {
  return Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);
}

/** A RecordBatch v2 with one record (no key/headers), CRC-32C filled in. */
export function recordBatch(value: string, timestamp = 1_700_000_000_000n): Buffer {
  const v = Buffer.from(value);
  // record: length varint, attributes int8, timestampDelta varint, offsetDelta varint, key -1, value, headers 0
  const zigzag = (n: number) => Buffer.from([(n << 1) ^ (n >> 31)]);
  const body = Buffer.concat([
    Buffer.from([0]),
    zigzag(0),
    zigzag(0),
    zigzag(-1),
    zigzag(v.length),
    v,
    zigzag(0),
  ]);
  const record = Buffer.concat([zigzag(body.length), body]);
  const afterCrc = Buffer.concat([
    int16(0), // attributes
    int32(0), // lastOffsetDelta
    int64(timestamp),
    int64(timestamp),
    int64(-1n), // producerId
    int16(-1), // producerEpoch
    int32(-1), // baseSequence
    int32(1), // record count
    record,
  ]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c(afterCrc) >>> 0, 0);
  const afterLength = Buffer.concat([int32(0), Buffer.from([2]), crc, afterCrc]);
  return Buffer.concat([int64(0n), int32(afterLength.length), afterLength]);
}

/** A Produce v3 body for one partition. */
export function produceBody(topic: string, partition: number, acks: number, records: Buffer): Buffer {
  return Buffer.concat([
    int16(-1), // transactional id null
    int16(acks),
    int32(5000),
    int32(1),
    str(topic),
    int32(1),
    int32(partition),
    int32(records.length),
    records,
  ]);
}

export function int8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
