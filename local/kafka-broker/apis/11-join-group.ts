import type { JoinGroupResult } from '../groups/group';
import { joinError } from '../groups/group';
import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * JoinGroup (key 11), versions 0-9 (min 0 for librdkafka 2.0; flexible from v6).
 *
 * Request v0: group_id string, session_timeout_ms int32, member_id string, protocol_type string,
 *   protocols [name string, metadata bytes]
 * Request v1+: rebalance_timeout_ms int32 after session_timeout_ms (v0: rebalance timeout = session timeout)
 * Request v5: group_instance_id nullable string after member_id
 * Response v0: error_code int16, generation_id int32, protocol_name string, leader string, member_id string,
 *   members [member_id string, v5+: group_instance_id nullable string, metadata bytes]
 * Request v8+: reason nullable string (last; logged by Kafka, ignored here)
 * Response v2+: throttle_time_ms int32 first
 * Response v7+: protocol_type nullable string before protocol_name, which becomes nullable
 * Response v9+: skip_assignment bool after leader (always false: the leader assigns, KIP-814)
 * v6+: compact encodings and tag sections.
 *
 * v4+: a member joining with an empty id gets MEMBER_ID_REQUIRED (79) with its id and must join again.
 * The response is parked until the join round completes (see groups/group.ts).
 */
const FLEXIBLE = 6;

export interface JoinGroupRequest {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string;
  readonly protocols: readonly { name: string; metadata: Buffer }[];
  readonly reason: string | null;
}

export interface JoinGroupResponse extends JoinGroupResult {
  readonly throttleTimeMs: number;
  /** v7+: the group's protocol type (null on errors). */
  readonly protocolType: string | null;
}

export const joinGroup = defineApi<JoinGroupRequest, JoinGroupResponse>({
  key: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const groupId = f.string();
    const sessionTimeoutMs = f.int32();
    const rebalanceTimeoutMs = version >= 1 ? f.int32() : sessionTimeoutMs;
    const memberId = f.string();
    const groupInstanceId = version >= 5 ? f.nullableString() : null;
    const protocolType = f.string();
    const protocols = f.structs((f) => ({ name: f.string(), metadata: f.bytes() ?? Buffer.alloc(0) }));
    const reason = version >= 8 ? f.nullableString() : null;
    f.tags();
    return {
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      memberId,
      groupInstanceId,
      protocolType,
      protocols,
      reason,
    };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 2) f.int32(res.throttleTimeMs);
    f.int16(res.errorCode).int32(res.generationId);
    if (version >= 7) f.nullableString(res.protocolType).nullableString(res.protocolName);
    else f.string(res.protocolName);
    f.string(res.leader);
    if (version >= 9) f.bool(false);
    f.string(res.memberId);
    f.structs(res.members, (f, m) => {
      f.string(m.memberId);
      if (version >= 5) f.nullableString(m.groupInstanceId);
      f.bytes(m.metadata);
    });
    f.tags();
  },
  async handle(req, version, { cluster, header, clientHost, allowed }) {
    if (!allowed('Read', { type: 'group', name: req.groupId })) {
      return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED, req.memberId);
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
    const protocolType = result.errorCode === ErrorCode.NONE ? req.protocolType : null;
    return { throttleTimeMs: 0, protocolType, ...result };
  },
  errorResponse(req, _version, errorCode) {
    return failed(errorCode, req.memberId);
  },
});

function failed(errorCode: number, memberId: string): JoinGroupResponse {
  return { throttleTimeMs: 0, protocolType: null, ...joinError(errorCode, memberId) };
}
