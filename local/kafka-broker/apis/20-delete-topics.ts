import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * DeleteTopics (key 20), versions 0-1.
 *
 * Request: topic_names [string], timeout_ms int32
 * Response: v1+: throttle_time_ms int32, responses [name string, error_code int16]
 *
 * Deleting drops the partitions' logs and the groups' committed offsets for the topic; unknown topics get 3.
 */
export interface DeleteTopicsRequest {
  readonly topicNames: readonly string[];
  readonly timeoutMs: number;
}

export interface DeleteTopicsResponse {
  readonly throttleTimeMs: number;
  readonly responses: readonly { name: string; errorCode: number }[];
}

export const deleteTopics = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  key: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 1,
  decode(r) {
    return { topicNames: r.array((r) => r.string()), timeoutMs: r.int32() };
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(res.throttleTimeMs);
    w.array(res.responses, (w, t) => {
      w.string(t.name).int16(t.errorCode);
    });
  },
  handle(req, _version, { cluster, allowed }) {
    return {
      throttleTimeMs: 0,
      responses: req.topicNames.map((name) => ({
        name,
        errorCode: allowed('Delete', { type: 'topic', name })
          ? cluster.deleteTopic(name)
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      })),
    };
  },
  errorResponse(req, _version, errorCode) {
    return { throttleTimeMs: 0, responses: req.topicNames.map((name) => ({ name, errorCode })) };
  },
});
