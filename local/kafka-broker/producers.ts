/**
 * Idempotent-producer state, as Kafka keeps it: per (partition, producer id) the epoch and the sequence
 * ranges and offsets of the last 5 batches appended (a producer has at most 5 batches in flight per
 * partition). Each produced batch with a producer id is checked against it before it is appended:
 *
 *   - same sequence range as one of the last 5 batches -> a retry: answered with the original offset,
 *     not stored again (nothing doubled);
 *   - first sequence = last sequence + 1 (wrapping at 2^31) -> appended and remembered;
 *   - anything else -> OUT_OF_ORDER_SEQUENCE_NUMBER (45) (nothing stored out of order);
 *   - an older epoch -> INVALID_PRODUCER_EPOCH (47); a newer epoch must start at sequence 0;
 *   - an unknown producer id must start at sequence 0, else UNKNOWN_PRODUCER_ID (59), which makes
 *     librdkafka and the Java client reset their sequence state.
 *
 * Batches without a producer id (-1) or without a sequence (-1) are not checked. The state is rebuilt from
 * the stored batch headers (producer id, epoch, base sequence) when the broker opens a data directory.
 */
import { ErrorCode } from './protocol/error-codes';
import { readBatchHeader, type ValidBatch } from './protocol/record-batch';
import type { PartitionLog } from './storage/types';

/** Batches remembered per producer and partition (Kafka's max.in.flight limit for idempotence). */
export const REMEMBERED_BATCHES = 5;
const INT32_MAX = 0x7fffffff;

interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly baseOffset: bigint;
}

interface ProducerEntry {
  epoch: number;
  /** Oldest first, at most REMEMBERED_BATCHES. */
  batches: BatchMetadata[];
}

/** What the check decided for one batch. */
export type SequenceCheck =
  | { readonly kind: 'append' }
  | { readonly kind: 'duplicate'; readonly baseOffset: bigint }
  | { readonly kind: 'error'; readonly errorCode: number };

function lastSequence(baseSequence: number, lastOffsetDelta: number): number {
  const last = baseSequence + lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function nextSequence(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1;
}

/** Producer state of one partition. */
export class PartitionProducers {
  private readonly producers = new Map<bigint, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  /** Decides what to do with `batch` without changing state. */
  check(
    batch: Pick<ValidBatch, 'producerId' | 'producerEpoch' | 'baseSequence' | 'lastOffsetDelta'>,
  ): SequenceCheck {
    if (batch.producerId < 0n || batch.baseSequence < 0) return { kind: 'append' };
    const entry = this.producers.get(batch.producerId);
    const firstSeq = batch.baseSequence;
    if (!entry) {
      return firstSeq === 0
        ? { kind: 'append' }
        : { kind: 'error', errorCode: ErrorCode.UNKNOWN_PRODUCER_ID };
    }
    if (batch.producerEpoch < entry.epoch)
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (batch.producerEpoch > entry.epoch) {
      return firstSeq === 0
        ? { kind: 'append' }
        : { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    const lastSeq = lastSequence(firstSeq, batch.lastOffsetDelta);
    const duplicate = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (duplicate) return { kind: 'duplicate', baseOffset: duplicate.baseOffset };
    const latest = entry.batches[entry.batches.length - 1];
    if (latest === undefined || firstSeq === nextSequence(latest.lastSeq)) return { kind: 'append' };
    return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
  }

  /** Records an appended batch (after `check` said append, or while rebuilding from the log). */
  record(
    producerId: bigint,
    producerEpoch: number,
    baseSequence: number,
    lastOffsetDelta: number,
    baseOffset: bigint,
  ): void {
    if (producerId < 0n || baseSequence < 0) return;
    let entry = this.producers.get(producerId);
    if (!entry || producerEpoch > entry.epoch) {
      entry = { epoch: producerEpoch, batches: [] };
      this.producers.set(producerId, entry);
    } else if (producerEpoch < entry.epoch) {
      return;
    }
    entry.batches.push({
      firstSeq: baseSequence,
      lastSeq: lastSequence(baseSequence, lastOffsetDelta),
      baseOffset,
    });
    if (entry.batches.length > REMEMBERED_BATCHES) entry.batches.shift();
  }

  /** The highest producer id seen (for handing out fresh ones after a restart), -1 if none. */
  maxProducerId(): bigint {
    let max = -1n;
    for (const id of this.producers.keys()) if (id > max) max = id;
    return max;
  }

  /** Rebuilds the state from the stored batches of `log` (their headers carry id, epoch and sequence). */
  static rebuild(log: PartitionLog, chunkBytes = 8 * 1024 * 1024): PartitionProducers {
    const state = new PartitionProducers();
    let offset = log.logStartOffset();
    const end = log.highWatermark();
    while (offset < end) {
      const batches = log.read(offset, chunkBytes);
      if (batches.length === 0) break;
      for (const b of batches) {
        const h = readBatchHeader(b.bytes);
        state.record(h.producerId, h.producerEpoch, h.baseSequence, h.lastOffsetDelta, b.baseOffset);
      }
      offset = batches[batches.length - 1]!.lastOffset + 1n;
    }
    return state;
  }
}
