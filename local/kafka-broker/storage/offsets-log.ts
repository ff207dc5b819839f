/**
 * Committed group offsets of the file storage: a map in memory, and on disk `offsets.log`, an append-only
 * log of CRC-checked frames (layout in format.ts). Opening replays the frames; the first short, corrupt or
 * unparseable frame is a torn tail from a crash and is cut off (and reported). Once the log holds
 * `offsetsCompactionSlack` more frames than live offsets it is rewritten with one frame per live offset.
 */
import * as fs from 'node:fs';
import { crc32c } from '@node-rs/crc32';
import { writeFileAtomic, writeFully } from './file-io';
import type { CommittedOffset } from './types';

/** uint32 payload length + uint32 CRC-32C of the payload. */
const FRAME_HEADER = 8;
/** A frame longer than this is treated as garbage during replay. */
const MAX_OFFSET_FRAME = 1024 * 1024;

/** What the offsets log needs from the storage that owns it. */
export interface OffsetsLogHost {
  readonly fsyncPolicy: 'os' | 'always' | 'interval';
  readonly offsetsCompactionSlack: number;
}

export interface OffsetRecord {
  /**
   * 'c' = commit, 'd' = delete all offsets of a topic; since format version 2: 'o' = delete one offset
   * (g, t, p), 'g' = delete all offsets of a group (g).
   */
  k: 'c' | 'd' | 'o' | 'g';
  g?: string;
  t?: string;
  p?: number;
  o?: string;
  e?: number;
  m?: string | null;
  ts?: string;
}

/** Committed group offsets: a map in memory, an append-only framed log on disk. */
export class OffsetsLog {
  private fd: number | undefined;
  private size = 0;
  private frames = 0;
  /** group -> "topic\0partition" -> value */
  readonly groups = new Map<
    string,
    Map<string, { topic: string; partition: number; value: CommittedOffset }>
  >();

  constructor(
    private readonly file: string,
    private readonly owner: OffsetsLogHost,
  ) {}

  load(report: string[]): void {
    const data = fs.existsSync(this.file) ? fs.readFileSync(this.file) : Buffer.alloc(0);
    let pos = 0;
    let bad: string | undefined;
    while (pos < data.length) {
      if (pos + FRAME_HEADER > data.length) {
        bad = 'short frame header';
        break;
      }
      const length = data.readUInt32BE(pos);
      const crc = data.readUInt32BE(pos + 4);
      if (length > MAX_OFFSET_FRAME) {
        bad = `impossible frame length ${length}`;
        break;
      }
      if (pos + FRAME_HEADER + length > data.length) {
        bad = `frame of ${length} bytes cut short`;
        break;
      }
      const payload = data.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + length);
      if (crc32c(payload) !== crc) {
        bad = 'CRC-32C mismatch';
        break;
      }
      let record: OffsetRecord;
      try {
        record = JSON.parse(payload.toString('utf8')) as OffsetRecord;
      } catch {
        bad = 'unparseable payload';
        break;
      }
      this.apply(record);
      this.frames++;
      pos += FRAME_HEADER + length;
    }
    this.fd = fs.openSync(this.file, fs.existsSync(this.file) ? 'r+' : 'w+');
    if (bad !== undefined) {
      report.push(`${this.file}: truncated at byte ${pos} of ${data.length}: ${bad}`);
      fs.ftruncateSync(this.fd, pos);
      fs.fsyncSync(this.fd);
    }
    this.size = pos;
  }

  private apply(r: OffsetRecord): void {
    if (r.k === 'g') {
      this.groups.delete(r.g ?? '');
      return;
    }
    if (r.k === 'o') {
      const offsets = this.groups.get(r.g ?? '');
      offsets?.delete(`${r.t}\0${r.p}`);
      if (offsets?.size === 0) this.groups.delete(r.g ?? '');
      return;
    }
    if (r.k === 'd') {
      for (const [group, offsets] of this.groups) {
        for (const [key, v] of offsets) if (v.topic === r.t) offsets.delete(key);
        if (offsets.size === 0) this.groups.delete(group);
      }
      return;
    }
    const group = r.g ?? '';
    let offsets = this.groups.get(group);
    if (!offsets) {
      offsets = new Map();
      this.groups.set(group, offsets);
    }
    offsets.set(`${r.t}\0${r.p}`, {
      topic: r.t ?? '',
      partition: r.p ?? 0,
      value: {
        offset: BigInt(r.o ?? '-1'),
        leaderEpoch: r.e ?? -1,
        metadata: r.m ?? null,
        commitTimestamp: BigInt(r.ts ?? '-1'),
      },
    });
  }

  private liveCount(): number {
    let n = 0;
    for (const offsets of this.groups.values()) n += offsets.size;
    return n;
  }

  append(record: OffsetRecord): void {
    const frame = encodeFrame(record);
    writeFully(this.fd!, frame, this.size);
    if (this.owner.fsyncPolicy === 'always') fs.fdatasyncSync(this.fd!);
    this.size += frame.length;
    this.frames++;
    this.apply(record);
    if (this.frames > this.liveCount() + this.owner.offsetsCompactionSlack) this.compact();
  }

  /** Rewrites the log with one frame per live offset (temp file, fsync, rename). */
  compact(): void {
    const frames: Buffer[] = [];
    for (const [group, offsets] of this.groups) {
      for (const { topic, partition, value } of offsets.values())
        frames.push(encodeFrame(commitRecord(group, topic, partition, value)));
    }
    const data = Buffer.concat(frames);
    fs.closeSync(this.fd!);
    this.fd = undefined;
    writeFileAtomic(this.file, data);
    this.fd = fs.openSync(this.file, 'r+');
    this.size = data.length;
    this.frames = frames.length;
  }

  sync(): void {
    if (this.fd !== undefined) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export function commitRecord(
  group: string,
  topic: string,
  partition: number,
  value: CommittedOffset,
): OffsetRecord {
  return {
    k: 'c',
    g: group,
    t: topic,
    p: partition,
    o: value.offset.toString(),
    e: value.leaderEpoch,
    m: value.metadata,
    ts: value.commitTimestamp.toString(),
  };
}

function encodeFrame(record: OffsetRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32c(payload), 4);
  payload.copy(frame, FRAME_HEADER);
  return frame;
}
