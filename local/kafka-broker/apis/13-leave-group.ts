import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * LeaveGroup (key 13), versions 0-3 (min 0 for librdkafka 2.0).
 *
 * Request v0-2: group_id string, member_id string
 * Request v3: group_id string, members [member_id string, group_instance_id nullable string] (KIP-345 batch)
 * Response v0: error_code int16
 * Response v1-2: throttle_time_ms int32, error_code int16
 * Response v3: throttle_time_ms int32, error_code int16,
 *   members [member_id string, group_instance_id nullable string, error_code int16]
 *
 * The group rebalances without the members at once (no session timeout wait). v3 answers per member; a
 * member that is not in the group gets UNKNOWN_MEMBER_ID (25) while the others leave. Static membership
 * (leaving by group instance id alone) is not supported: such a member gets 25.
 */
export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly members: readonly { memberId: string; groupInstanceId: string | null }[];
}

export interface LeaveGroupResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly members: readonly { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export const leaveGroup = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  key: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  decode(r, version) {
    const groupId = r.string();
    if (version >= 3) {
      return {
        groupId,
        members: r.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() })),
      };
    }
    return { groupId, members: [{ memberId: r.string(), groupInstanceId: null }] };
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(res.throttleTimeMs);
    w.int16(res.errorCode);
    if (version >= 3) {
      w.array(res.members, (w, m) => {
        w.string(m.memberId).nullableString(m.groupInstanceId).int16(m.errorCode);
      });
    }
  },
  handle(req, version, { cluster, allowed }) {
    if (!allowed('Read', { type: 'group', name: req.groupId })) {
      return this.errorResponse(req, version, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const members = req.members.map((m) => ({
      ...m,
      errorCode:
        m.memberId === '' ? ErrorCode.UNKNOWN_MEMBER_ID : cluster.groups.leave(req.groupId, m.memberId),
    }));
    // v0-2 carry one member, whose result is the top-level error; v3 reports per member.
    const errorCode = version >= 3 ? ErrorCode.NONE : members[0]!.errorCode;
    return { throttleTimeMs: 0, errorCode, members: version >= 3 ? members : [] };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, members: [] };
  },
});
