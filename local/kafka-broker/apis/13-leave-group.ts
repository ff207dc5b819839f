import { defineApi } from './types';

/**
 * LeaveGroup (key 13), versions 0-1 (min 0 for librdkafka 2.0).
 *
 * Request v0-1: group_id string, member_id string
 * Response v0: error_code int16
 * Response v1: throttle_time_ms int32, error_code int16
 *
 * The group rebalances without the member at once (no session timeout wait).
 */
export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly memberId: string;
}

export interface LeaveGroupResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
}

export const leaveGroup = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  key: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 1,
  decode(r) {
    return { groupId: r.string(), memberId: r.string() };
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(res.throttleTimeMs);
    w.int16(res.errorCode);
  },
  handle(req, _version, { cluster }) {
    return { throttleTimeMs: 0, errorCode: cluster.groups.leave(req.groupId, req.memberId) };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
