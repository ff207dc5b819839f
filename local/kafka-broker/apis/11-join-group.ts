import type { JoinGroupResult } from '../groups/group';
import { joinError } from '../groups/group';
import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * JoinGroup (key 11), versions 0-5 (min 0 for librdkafka 2.0).
 *
 * Request v0: group_id string, session_timeout_ms int32, member_id string, protocol_type string,
 *   protocols [name string, metadata bytes]
 * Request v1+: rebalance_timeout_ms int32 after session_timeout_ms (v0: rebalance timeout = session timeout)
 * Request v5: group_instance_id nullable string after member_id
 * Response v0: error_code int16, generation_id int32, protocol_name string, leader string, member_id string,
 *   members [member_id string, v5+: group_instance_id nullable string, metadata bytes]
 * Response v2+: throttle_time_ms int32 first
 *
 * v4+: a member joining with an empty id gets MEMBER_ID_REQUIRED (79) with its id and must join again.
 * The response is parked until the join round completes (see groups/group.ts).
 */
export interface JoinGroupRequest {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string;
  readonly protocols: readonly { name: string; metadata: Buffer }[];
}

export interface JoinGroupResponse extends JoinGroupResult {
  readonly throttleTimeMs: number;
}

export const joinGroup = defineApi<JoinGroupRequest, JoinGroupResponse>({
  key: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  decode(r, version) {
    const groupId = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
    const memberId = r.string();
    const groupInstanceId = version >= 5 ? r.nullableString() : null;
    const protocolType = r.string();
    const protocols = r.array((r) => ({ name: r.string(), metadata: r.bytes() ?? Buffer.alloc(0) }));
    return {
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      memberId,
      groupInstanceId,
      protocolType,
      protocols,
    };
  },
  encode(w, res, version) {
    if (version >= 2) w.int32(res.throttleTimeMs);
    w.int16(res.errorCode)
      .int32(res.generationId)
      .string(res.protocolName)
      .string(res.leader)
      .string(res.memberId);
    w.array(res.members, (w, m) => {
      w.string(m.memberId);
      if (version >= 5) w.nullableString(m.groupInstanceId);
      w.bytes(m.metadata);
    });
  },
  async handle(req, version, { cluster, header, clientHost, allowed }) {
    if (!allowed('Read', { type: 'group', name: req.groupId })) {
      return { throttleTimeMs: 0, ...joinError(ErrorCode.GROUP_AUTHORIZATION_FAILED, req.memberId) };
    }
    const result = await cluster.groups.join(req.groupId, {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: header.clientId ?? '',
      clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      requireKnownMemberId: version >= 4,
    });
    return { throttleTimeMs: 0, ...result };
  },
  errorResponse(req, _version, errorCode) {
    return { throttleTimeMs: 0, ...joinError(errorCode, req.memberId) };
  },
});
