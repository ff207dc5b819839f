import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * Heartbeat (key 12), versions 0-4 (min 0 for librdkafka 2.0; flexible from v4).
 *
 * Request v0: group_id string, generation_id int32, member_id string
 * Request v3: group_instance_id nullable string (last)
 * Response v0: error_code int16
 * Response v1+: throttle_time_ms int32 first
 * v4: compact strings and tag sections.
 *
 * REBALANCE_IN_PROGRESS (27) tells the member to rejoin; UNKNOWN_MEMBER_ID (25) and ILLEGAL_GENERATION (22)
 * that it was dropped or is behind.
 */
const FLEXIBLE = 4;

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
  maxVersion: 4,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    return f.struct((f) => ({
      groupId: f.string(),
      generationId: f.int32(),
      memberId: f.string(),
      groupInstanceId: version >= 3 ? f.nullableString() : null,
    }));
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 1) f.int32(res.throttleTimeMs);
    f.int16(res.errorCode).tags();
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
