import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * ListGroups (key 16), versions 0-2.
 *
 * Request: (empty)
 * Response: v1+: throttle_time_ms int32, error_code int16, groups [group_id string, protocol_type string]
 *
 * Lists live groups and groups that only have committed offsets (for lag reports).
 */
export type ListGroupsRequest = Record<string, never>;

export interface ListGroupsResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly groups: readonly { groupId: string; protocolType: string }[];
}

export const listGroups = defineApi<ListGroupsRequest, ListGroupsResponse>({
  key: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  decode() {
    return {};
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(res.throttleTimeMs);
    w.int16(res.errorCode);
    w.array(res.groups, (w, g) => {
      w.string(g.groupId).string(g.protocolType);
    });
  },
  handle(_req, _version, { cluster, allowed }) {
    const groups = cluster.groups
      .list()
      .filter((g) => allowed('Describe', { type: 'group', name: g.groupId }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] };
  },
});
