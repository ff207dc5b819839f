import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { splitBatches } from '../protocol/record-batch';
import { defineApi } from './types';

/**
 * Produce (key 0), versions 3-9 (RecordBatch v2 only; flexible from v9).
 *
 * Request v3+: transactional_id nullable string, acks int16, timeout_ms int32,
 *   topic_data [name string, partition_data [index int32, records nullable bytes]]
 * Response v3-4: responses [name string, partition_responses [index int32, error_code int16,
 *   base_offset int64, log_append_time_ms int64]], throttle_time_ms int32 (last)
 * Response v5+: partition_responses + log_start_offset int64
 * Response v8+: partition_responses + record_errors [batch_index int32, batch_index_error_message nullable
 *   string], error_message nullable string (KIP-467; always empty and null here)
 * v9: compact encodings and tag sections (the v10+ tagged leader fields are not served).
 *
 * Batches are validated (magic 2 else 43, CRC-32C else 2) and stored as sent; only the base offset is
 * patched. acks=0: the request gets no response at all. acks must be -1, 0 or 1 (else 21).
 * v6/v7 differ from v5 only in throttling semantics and idempotence rules. Batches of idempotent producers
 * are checked against the producer's last sequences (producers.ts): a retry gets its original offset and
 * is not stored twice; a gap gets OUT_OF_ORDER_SEQUENCE_NUMBER (45).
 */
const FLEXIBLE = 9;

export interface ProducePartitionData {
  readonly index: number;
  readonly records: Buffer | null;
}

export interface ProduceRequest {
  readonly transactionalId: string | null;
  readonly acks: number;
  readonly timeoutMs: number;
  readonly topics: readonly { name: string; partitions: readonly ProducePartitionData[] }[];
}

export interface ProducePartitionResponse {
  readonly index: number;
  readonly errorCode: number;
  readonly baseOffset: bigint;
  readonly logAppendTimeMs: bigint;
  readonly logStartOffset: bigint;
}

export interface ProduceResponse {
  readonly topics: readonly { name: string; partitions: readonly ProducePartitionResponse[] }[];
  readonly throttleTimeMs: number;
}

function partitionError(index: number, errorCode: number): ProducePartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

export const produce = defineApi<ProduceRequest, ProduceResponse>({
  key: 0,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 9,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    return f.struct((f) => ({
      transactionalId: f.nullableString(),
      acks: f.int16(),
      timeoutMs: f.int32(),
      topics: f.structs((f) => ({
        name: f.string(),
        partitions: f.structs((f) => ({ index: f.int32(), records: f.bytes() })),
      })),
    }));
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    f.structs(res.topics, (f, t) => {
      f.string(t.name);
      f.structs(t.partitions, (f, p) => {
        f.int32(p.index).int16(p.errorCode).int64(p.baseOffset).int64(p.logAppendTimeMs);
        if (version >= 5) f.int64(p.logStartOffset);
        if (version >= 8) f.structs([], () => {}).nullableString(null);
      });
    });
    f.int32(res.throttleTimeMs).tags();
  },
  handle(req, _version, { cluster, allowed }) {
    const badAcks = req.acks !== 0 && req.acks !== 1 && req.acks !== -1;
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): ProducePartitionResponse => {
        if (badAcks) return partitionError(p.index, ErrorCode.INVALID_REQUIRED_ACKS);
        if (!allowed('Write', { type: 'topic', name: t.name })) {
          return partitionError(p.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        }
        const log = cluster.partition(t.name, p.index);
        if (!log) return partitionError(p.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        const split = splitBatches(p.records ?? Buffer.alloc(0));
        if (!split.ok) return partitionError(p.index, split.errorCode);
        const { errorCode, baseOffset } = cluster.produce(t.name, p.index, log, split.batches);
        if (errorCode !== ErrorCode.NONE) return partitionError(p.index, errorCode);
        return {
          index: p.index,
          errorCode,
          baseOffset,
          logAppendTimeMs: -1n,
          logStartOffset: log.logStartOffset(),
        };
      }),
    }));
    return req.acks === 0 ? undefined : { topics, throttleTimeMs: 0 };
  },
  errorResponse(req, _version, errorCode) {
    return {
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => partitionError(p.index, errorCode)),
      })),
      throttleTimeMs: 0,
    };
  },
});
