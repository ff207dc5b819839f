import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * ListGroups (key 16), versions 0-5 (flexible from v3).
 *
 * Request v0-3: (empty, v3: a tag section)
 * Request v4+: states_filter [string], v5+: types_filter [string]
 * Response: v1+: throttle_time_ms int32, error_code int16, groups [group_id string, protocol_type string,
 *   v4+: group_state string, v5+: group_type string]
 * v3+: compact encodings and tag sections.
 *
 * Lists live groups and groups that only have committed offsets (for lag reports). A non-empty states
 * filter keeps the groups in one of those states (case-insensitive, as Kafka); every group here is a
 * classic group, so a types filter without "classic" lists none.
 */
const FLEXIBLE = 3;

export interface ListGroupsRequest {
  readonly statesFilter: readonly string[];
  readonly typesFilter: readonly string[];
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  readonly groupState: string;
  readonly groupType: string;
}

export interface ListGroupsResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly groups: readonly ListedGroup[];
}

export const listGroups = defineApi<ListGroupsRequest, ListGroupsResponse>({
  key: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const statesFilter = version >= 4 ? f.array((f) => f.string()) : [];
    const typesFilter = version >= 5 ? f.array((f) => f.string()) : [];
    f.tags();
    return { statesFilter, typesFilter };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 1) f.int32(res.throttleTimeMs);
    f.int16(res.errorCode);
    f.structs(res.groups, (f, g) => {
      f.string(g.groupId).string(g.protocolType);
      if (version >= 4) f.string(g.groupState);
      if (version >= 5) f.string(g.groupType);
    });
    f.tags();
  },
  handle(req, _version, { cluster, allowed }) {
    const states = req.statesFilter.map((s) => s.toLowerCase());
    const types = req.typesFilter.map((t) => t.toLowerCase());
    const groups = cluster.groups
      .list()
      .filter((g) => allowed('Describe', { type: 'group', name: g.groupId }))
      .map((g) => ({ ...g, groupState: cluster.groups.describe(g.groupId).state, groupType: 'classic' }))
      .filter((g) => states.length === 0 || states.includes(g.groupState.toLowerCase()))
      .filter((g) => types.length === 0 || types.includes(g.groupType));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] };
  },
});
