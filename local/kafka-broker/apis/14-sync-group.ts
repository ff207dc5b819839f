import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * SyncGroup (key 14), versions 0-3 (min 0 for librdkafka 2.0).
 *
 * Request v0: group_id string, generation_id int32, member_id string,
 *   assignments [member_id string, assignment bytes]
 * Request v3: group_instance_id nullable string after member_id
 * Response v0: error_code int16, assignment bytes
 * Response v1+: throttle_time_ms int32 first
 *
 * Only the leader sends assignments; followers are parked until it does.
 */
export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly assignments: readonly { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly assignment: Buffer;
}

export const syncGroup = defineApi<SyncGroupRequest, SyncGroupResponse>({
  key: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  decode(r, version) {
    return {
      groupId: r.string(),
      generationId: r.int32(),
      memberId: r.string(),
      groupInstanceId: version >= 3 ? r.nullableString() : null,
      assignments: r.array((r) => ({ memberId: r.string(), assignment: r.bytes() ?? Buffer.alloc(0) })),
    };
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(res.throttleTimeMs);
    w.int16(res.errorCode).bytes(res.assignment);
  },
  async handle(req, _version, { cluster, allowed }) {
    if (!allowed('Read', { type: 'group', name: req.groupId })) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        assignment: Buffer.alloc(0),
      };
    }
    const result = await cluster.groups.sync(req.groupId, req.generationId, req.memberId, req.assignments);
    return { throttleTimeMs: 0, ...result };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) };
  },
});
