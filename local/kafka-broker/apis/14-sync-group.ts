import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * SyncGroup (key 14), versions 0-5 (min 0 for librdkafka 2.0; flexible from v4).
 *
 * Request v0: group_id string, generation_id int32, member_id string,
 *   assignments [member_id string, assignment bytes]
 * Request v3: group_instance_id nullable string after member_id
 * Response v0: error_code int16, assignment bytes
 * Request v5: protocol_type nullable string, protocol_name nullable string before assignments
 * Response v1+: throttle_time_ms int32 first
 * Response v5: protocol_type nullable string, protocol_name nullable string before assignment
 * v4+: compact encodings and tag sections.
 *
 * Only the leader sends assignments; followers are parked until it does. At v5 a protocol type or name
 * that differs from the group's gets INCONSISTENT_GROUP_PROTOCOL (23), as in Kafka; the response names
 * the group's protocol.
 */
const FLEXIBLE = 4;

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignments: readonly { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

function failed(errorCode: number): SyncGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    protocolType: null,
    protocolName: null,
    assignment: Buffer.alloc(0),
  };
}

export const syncGroup = defineApi<SyncGroupRequest, SyncGroupResponse>({
  key: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    return f.struct((f) => ({
      groupId: f.string(),
      generationId: f.int32(),
      memberId: f.string(),
      groupInstanceId: version >= 3 ? f.nullableString() : null,
      protocolType: version >= 5 ? f.nullableString() : null,
      protocolName: version >= 5 ? f.nullableString() : null,
      assignments: f.structs((f) => ({ memberId: f.string(), assignment: f.bytes() ?? Buffer.alloc(0) })),
    }));
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 1) f.int32(res.throttleTimeMs);
    f.int16(res.errorCode);
    if (version >= 5) f.nullableString(res.protocolType).nullableString(res.protocolName);
    f.bytes(res.assignment).tags();
  },
  async handle(req, _version, { cluster, allowed }) {
    if (!allowed('Read', { type: 'group', name: req.groupId }))
      return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const group = cluster.groups.describe(req.groupId);
    if (
      (req.protocolType !== null && group.protocolType !== '' && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && group.protocolName !== '' && req.protocolName !== group.protocolName)
    ) {
      return failed(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const result = await cluster.groups.sync(req.groupId, req.generationId, req.memberId, req.assignments);
    if (result.errorCode !== ErrorCode.NONE)
      return { ...failed(result.errorCode), assignment: result.assignment };
    const after = cluster.groups.describe(req.groupId);
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: after.protocolType || null,
      protocolName: after.protocolName || null,
      assignment: result.assignment,
    };
  },
  errorResponse(_req, _version, errorCode) {
    return failed(errorCode);
  },
});
