import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * DeleteTopics (key 20), versions 0-6 (flexible from v4).
 *
 * Request v0-5: topic_names [string], timeout_ms int32
 * Request v6: topics [name nullable string, topic_id uuid], timeout_ms int32   (by id when the name is null)
 * Response: v1+: throttle_time_ms int32, responses [name string (nullable v6), v6+: topic_id uuid,
 *   error_code int16, v5+: error_message nullable string]
 * v4+: compact encodings and tag sections. v2, v3 only change throttling and errors.
 *
 * Deleting drops the partitions' logs and the groups' committed offsets for the topic; unknown topics get 3,
 * an unknown topic id UNKNOWN_TOPIC_ID (100).
 */
const FLEXIBLE = 4;
const ZERO_UUID = Buffer.alloc(16);

export interface DeleteTopicsRequest {
  /** A null name (v6) means "by id". */
  readonly topics: readonly { name: string | null; topicId: Buffer }[];
  readonly timeoutMs: number;
}

export interface DeletedTopicResult {
  readonly name: string | null;
  readonly topicId: Buffer;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface DeleteTopicsResponse {
  readonly throttleTimeMs: number;
  readonly responses: readonly DeletedTopicResult[];
}

export const deleteTopics = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  key: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const topics =
      version >= 6
        ? f.structs((f) => ({ name: f.nullableString(), topicId: f.uuid() }))
        : f.array((f) => ({ name: f.string() as string | null, topicId: ZERO_UUID }));
    const timeoutMs = f.int32();
    f.tags();
    return { topics, timeoutMs };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 1) f.int32(res.throttleTimeMs);
    f.structs(res.responses, (f, t) => {
      if (version >= 6) f.nullableString(t.name).uuid(t.topicId);
      else f.string(t.name ?? '');
      f.int16(t.errorCode);
      if (version >= 5) f.nullableString(t.errorMessage);
    });
    f.tags();
  },
  handle(req, _version, { cluster, allowed }) {
    return {
      throttleTimeMs: 0,
      responses: req.topics.map((t): DeletedTopicResult => {
        const name = t.name ?? cluster.topicNameById(t.topicId);
        if (name === undefined) {
          return {
            name: null,
            topicId: t.topicId,
            errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
            errorMessage: 'no topic has this id',
          };
        }
        const topicId = cluster.topic(name) ? cluster.topicId(name) : ZERO_UUID;
        if (!allowed('Delete', { type: 'topic', name })) {
          return {
            name,
            topicId,
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: `not authorized to delete topic ${name}`,
          };
        }
        const errorCode = cluster.deleteTopic(name);
        return {
          name,
          topicId,
          errorCode,
          errorMessage: errorCode === ErrorCode.NONE ? null : `topic ${name} does not exist`,
        };
      }),
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      responses: req.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage: null })),
    };
  },
});
