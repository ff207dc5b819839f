import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * LeaveGroup (key 13), versions 0-5 (min 0 for librdkafka 2.0; flexible from v4).
 *
 * Request v0-2: group_id string, member_id string
 * Request v3: group_id string, members [member_id string, group_instance_id nullable string] (KIP-345 batch)
 * Response v0: error_code int16
 * Response v1-2: throttle_time_ms int32, error_code int16
 * Request v5: members [member_id, group_instance_id, reason nullable string] (the reason is ignored)
 * Response v3+: throttle_time_ms int32, error_code int16,
 *   members [member_id string, group_instance_id nullable string, error_code int16]
 * v4+: compact encodings and tag sections.
 *
 * The group rebalances without the members at once (no session timeout wait). v3 answers per member; a
 * member that is not in the group gets UNKNOWN_MEMBER_ID (25) while the others leave. Static membership
 * (leaving by group instance id alone) is not supported: such a member gets 25.
 */
const FLEXIBLE = 4;

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
  maxVersion: 5,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    return f.struct((f) => {
      const groupId = f.string();
      if (version >= 3) {
        const members = f.structs((f) => {
          const member = { memberId: f.string(), groupInstanceId: f.nullableString() };
          if (version >= 5) f.nullableString(); // reason
          return member;
        });
        return { groupId, members };
      }
      return { groupId, members: [{ memberId: f.string(), groupInstanceId: null }] };
    });
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 1) f.int32(res.throttleTimeMs);
    f.int16(res.errorCode);
    if (version >= 3) {
      f.structs(res.members, (f, m) => {
        f.string(m.memberId).nullableString(m.groupInstanceId).int16(m.errorCode);
      });
    }
    f.tags();
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
    // v0-2 carry one member, whose result is the top-level error; v3+ reports per member.
    const errorCode = version >= 3 ? ErrorCode.NONE : members[0]!.errorCode;
    return { throttleTimeMs: 0, errorCode, members: version >= 3 ? members : [] };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, members: [] };
  },
});
