import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * DeleteGroups (key 42), versions 0-2 (flexible from v2).
 *
 * Request: groups_names [string]
 * Response: throttle_time_ms int32, results [group_id string, error_code int16]
 * v1 differs only in throttling; v2 uses compact encodings and tag sections.
 *
 * Deletes groups without live members, with their committed offsets. A group with members gets
 * NON_EMPTY_GROUP (68), an unknown one GROUP_ID_NOT_FOUND (69), one the principal may not Delete
 * GROUP_AUTHORIZATION_FAILED (30).
 */
const FLEXIBLE = 2;

export interface DeleteGroupsRequest {
  readonly groupsNames: readonly string[];
}

export interface DeleteGroupsResponse {
  readonly throttleTimeMs: number;
  readonly results: readonly { groupId: string; errorCode: number }[];
}

export const deleteGroups = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  key: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const groupsNames = f.array((f) => f.string());
    f.tags();
    return { groupsNames };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    f.int32(res.throttleTimeMs);
    f.structs(res.results, (f, x) => {
      f.string(x.groupId).int16(x.errorCode);
    });
    f.tags();
  },
  handle(req, _version, { cluster, allowed }) {
    return {
      throttleTimeMs: 0,
      results: req.groupsNames.map((groupId) => ({
        groupId,
        errorCode: allowed('Delete', { type: 'group', name: groupId })
          ? cluster.groups.delete(groupId)
          : ErrorCode.GROUP_AUTHORIZATION_FAILED,
      })),
    };
  },
  errorResponse(req, _version, errorCode) {
    return { throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode })) };
  },
});
