import type { Cluster } from '../cluster';
import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi, type RequestContext } from './types';

/**
 * Fetch (key 1), versions 4-12 (flexible from v12), with long-poll.
 *
 * Request: replica_id int32, max_wait_ms int32, min_bytes int32, max_bytes int32, isolation_level int8,
 *   v7+: session_id int32, session_epoch int32,
 *   topics [topic string, partitions [partition int32, v9+: current_leader_epoch int32, fetch_offset int64,
 *            v12+: last_fetched_epoch int32, v5+: log_start_offset int64, partition_max_bytes int32]],
 *   v7+: forgotten_topics_data [topic string, partitions [int32]],
 *   v11+: rack_id string
 * Response: throttle_time_ms int32, v7+: error_code int16, session_id int32,
 *   responses [topic string, partitions [partition_index int32, error_code int16, high_watermark int64,
 *              last_stable_offset int64, v5+: log_start_offset int64,
 *              aborted_transactions nullable[producer_id int64, first_offset int64],
 *              v11+: preferred_read_replica int32, records nullable bytes]]
 * v12: compact encodings and tag sections; the request's tagged cluster_id and the response's tagged
 *   diverging_epoch, current_leader and snapshot_id are neither read nor sent (single node, no KRaft).
 *   v13 (topic ids instead of names) is not served.
 *
 * The response waits until min_bytes are available or max_wait_ms passes (or a partition errs). There are
 * no fetch sessions (session id 0, full fetches) and no transactions: the last stable offset is the high
 * watermark and aborted_transactions is null. The first partition with data returns at least one batch
 * even if it exceeds max_bytes or partition_max_bytes, so a consumer can always make progress; the others
 * return only whole batches that fit in what is left (KIP-74). Stored batches are written
 * to the socket by reference, never copied or decoded.
 */
const FLEXIBLE = 12;

export interface FetchPartitionRequest {
  readonly partition: number;
  readonly currentLeaderEpoch: number;
  readonly fetchOffset: bigint;
  readonly lastFetchedEpoch: number;
  readonly logStartOffset: bigint;
  readonly partitionMaxBytes: number;
}

export interface FetchRequest {
  readonly replicaId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: number;
  readonly sessionId: number;
  readonly sessionEpoch: number;
  readonly topics: readonly { topic: string; partitions: readonly FetchPartitionRequest[] }[];
  readonly forgottenTopics: readonly { topic: string; partitions: readonly number[] }[];
  readonly rackId: string;
}

export interface FetchPartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly preferredReadReplica: number;
  /** Whole stored batches, concatenated on the wire into one records field. */
  readonly records: readonly Buffer[];
}

export interface FetchResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly sessionId: number;
  readonly responses: readonly { topic: string; partitions: readonly FetchPartitionResponse[] }[];
}

function partitionError(partitionIndex: number, errorCode: number): FetchPartitionResponse {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    preferredReadReplica: -1,
    records: [],
  };
}

/** One pass over the requested partitions; `bytes` = record bytes gathered, `failed` = a partition erred. */
function collect(req: FetchRequest, cluster: Cluster, allowed: RequestContext['allowed']) {
  let bytes = 0;
  let failed = false;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): FetchPartitionResponse => {
      if (!allowed('Read', { type: 'topic', name: t.topic })) {
        failed = true;
        return partitionError(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      }
      const log = cluster.partition(t.topic, p.partition);
      if (!log) {
        failed = true;
        return partitionError(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      }
      const highWatermark = log.highWatermark();
      const logStartOffset = log.logStartOffset();
      if (p.fetchOffset < logStartOffset || p.fetchOffset > highWatermark) {
        failed = true;
        return {
          ...partitionError(p.partition, ErrorCode.OFFSET_OUT_OF_RANGE),
          highWatermark,
          logStartOffset,
        };
      }
      const budget = Math.max(0, Math.min(p.partitionMaxBytes, req.maxBytes - bytes));
      // Only the first partition with data may exceed the limits (by its first batch), as in Kafka
      // (KIP-74); later partitions get only what fits, else a client's receive buffer check fails.
      const records: Buffer[] = [];
      if (bytes === 0 || budget > 0) {
        let taken = 0;
        for (const batch of log.read(p.fetchOffset, budget)) {
          if (bytes > 0 && taken + batch.bytes.length > budget) break;
          records.push(batch.bytes);
          taken += batch.bytes.length;
        }
        bytes += taken;
      }
      return {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark,
        lastStableOffset: highWatermark,
        logStartOffset,
        preferredReadReplica: -1,
        records,
      };
    }),
  }));
  return { responses, bytes, failed };
}

export const fetch = defineApi<FetchRequest, FetchResponse>({
  key: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 12,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const replicaId = f.int32();
    const maxWaitMs = f.int32();
    const minBytes = f.int32();
    const maxBytes = f.int32();
    const isolationLevel = f.int8();
    const sessionId = version >= 7 ? f.int32() : 0;
    const sessionEpoch = version >= 7 ? f.int32() : -1;
    const topics = f.structs((f) => ({
      topic: f.string(),
      partitions: f.structs((f) => ({
        partition: f.int32(),
        currentLeaderEpoch: version >= 9 ? f.int32() : -1,
        fetchOffset: f.int64(),
        lastFetchedEpoch: version >= 12 ? f.int32() : -1,
        logStartOffset: version >= 5 ? f.int64() : -1n,
        partitionMaxBytes: f.int32(),
      })),
    }));
    const forgottenTopics =
      version >= 7 ? f.structs((f) => ({ topic: f.string(), partitions: f.array((f) => f.int32()) })) : [];
    const rackId = version >= 11 ? f.string() : '';
    f.tags();
    return {
      replicaId,
      maxWaitMs,
      minBytes,
      maxBytes,
      isolationLevel,
      sessionId,
      sessionEpoch,
      topics,
      forgottenTopics,
      rackId,
    };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    f.int32(res.throttleTimeMs);
    if (version >= 7) f.int16(res.errorCode).int32(res.sessionId);
    f.structs(res.responses, (f, t) => {
      f.string(t.topic);
      f.structs(t.partitions, (f, p) => {
        f.int32(p.partitionIndex).int16(p.errorCode).int64(p.highWatermark).int64(p.lastStableOffset);
        if (version >= 5) f.int64(p.logStartOffset);
        f.nullableArray(null, () => {}); // aborted_transactions: null (no transactions)
        if (version >= 11) f.int32(p.preferredReadReplica);
        let size = 0;
        for (const batch of p.records) size += batch.length;
        f.bytesLength(size);
        for (const batch of p.records) w.raw(batch);
      });
    });
    f.tags();
  },
  async handle(req, _version, { cluster, signal, allowed }) {
    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    for (;;) {
      const pass = collect(req, cluster, allowed);
      const waitMs = deadline - Date.now();
      if (pass.failed || pass.bytes >= req.minBytes || waitMs <= 0 || signal.aborted) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: pass.responses };
      }
      await cluster.waitForAppend(waitMs, signal);
    }
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => partitionError(p.partition, errorCode)),
      })),
    };
  },
});
