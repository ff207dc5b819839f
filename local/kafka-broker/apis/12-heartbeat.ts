import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * Heartbeat (key 12), versions 0-3 (min 0 for librdkafka 2.0).
 *
 * Request v0: group_id string, generation_id int32, member_id string
 * Request v3: group_instance_id nullable string (last)
 * Response v0: error_code int16
 * Response v1+: throttle_time_ms int32 first
 *
 * REBALANCE_IN_PROGRESS (27) tells the member to rejoin; UNKNOWN_MEMBER_ID (25) and ILLEGAL_GENERATION (22)
 * that it was dropped or is behind.
 */
export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
}

export const heartbeat = defineApi<HeartbeatRequest, HeartbeatResponse>({
  key: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  decode(r, version) {
    return {
      groupId: r.string(),
      generationId: r.int32(),
      memberId: r.string(),
      groupInstanceId: version >= 3 ? r.nullableString() : null,
    };
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(res.throttleTimeMs);
    w.int16(res.errorCode);
  },
  handle(req, _version, { cluster, allowed }) {
    if (!allowed('Read', { type: 'group', name: req.groupId })) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    return {
      throttleTimeMs: 0,
      errorCode: cluster.groups.heartbeat(req.groupId, req.generationId, req.memberId),
    };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
