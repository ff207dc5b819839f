import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * CreatePartitions (key 37), versions 0-3 (flexible from v2).
 *
 * Request: topics [name string, count int32, assignments nullable [broker_ids [int32]]], timeout_ms int32,
 *   validate_only bool
 * Response: throttle_time_ms int32, results [name string, error_code int16, error_message nullable string]
 *
 * Grows a topic to `count` partitions (new ones start empty; keys move, as in Kafka). A count not above the
 * current one gets INVALID_PARTITIONS (37); assignments may name only this broker (else 38). Needs Alter
 * on the topic with an authorizer (29). v1 differs only in throttling, v3 only in errors; v2+ use compact
 * encodings and tag sections.
 */
export interface CreatePartitionsRequest {
  readonly topics: readonly {
    name: string;
    count: number;
    assignments: readonly (readonly number[])[] | null;
  }[];
  readonly timeoutMs: number;
  readonly validateOnly: boolean;
}

export interface CreatePartitionsResponse {
  readonly throttleTimeMs: number;
  readonly results: readonly { name: string; errorCode: number; errorMessage: string | null }[];
}

export const createPartitions = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  key: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 2,
  decode(r, version) {
    const f = new FieldReader(r, version >= 2);
    const topics = f.structs((f) => ({
      name: f.string(),
      count: f.int32(),
      assignments: f.nullableStructs((f) => f.array((f) => f.int32())),
    }));
    const timeoutMs = f.int32();
    const validateOnly = f.bool();
    f.tags();
    return { topics, timeoutMs, validateOnly };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= 2);
    f.int32(res.throttleTimeMs);
    f.structs(res.results, (f, x) => {
      f.string(x.name).int16(x.errorCode).nullableString(x.errorMessage);
    });
    f.tags();
  },
  handle(req, _version, { cluster, allowed }) {
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => {
        if (!allowed('Alter', { type: 'topic', name: t.name })) {
          return {
            name: t.name,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: `not authorized to add partitions to topic ${t.name}`,
          };
        }
        if (t.assignments?.some((ids) => ids.some((id) => id !== cluster.nodeId))) {
          return {
            name: t.name,
            errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
            errorMessage: `assignments may only name broker ${cluster.nodeId}`,
          };
        }
        const result = cluster.createPartitions(t.name, t.count, req.validateOnly);
        return { name: t.name, errorCode: result.errorCode, errorMessage: result.message };
      }),
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
    };
  },
});
