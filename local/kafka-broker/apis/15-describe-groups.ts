import type { AclOperation } from '../authorizer';
import type { MemberDescription } from '../groups/group';
import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * DescribeGroups (key 15), versions 0-5 (flexible from v5).
 *
 * Request: groups [string], v3+: include_authorized_operations bool
 * Response: v1+: throttle_time_ms int32,
 *   groups [error_code int16, group_id string, group_state string, protocol_type string, protocol_data string,
 *           members [member_id string, v4+: group_instance_id nullable string, client_id string,
 *                    client_host string, member_metadata bytes, member_assignment bytes],
 *           v3+: authorized_operations int32]
 * v5: compact encodings and tag sections.
 *
 * An unknown group is described as "Dead" with no error, as Kafka does; a group known only by its
 * committed offsets is "Empty". Authorized operations are Kafka's bit set of the group operations (Read 3,
 * Delete 6, Describe 8) when asked for, else INT32_MIN.
 */
const FLEXIBLE = 5;
const NOT_REQUESTED = -2147483648;
const GROUP_OPERATIONS: readonly [AclOperation, number][] = [
  ['Read', 3],
  ['Delete', 6],
  ['Describe', 8],
];

export interface DescribeGroupsRequest {
  readonly groups: readonly string[];
  readonly includeAuthorizedOperations: boolean;
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly groupState: string;
  readonly protocolType: string;
  readonly protocolData: string;
  readonly members: readonly MemberDescription[];
  readonly authorizedOperations: number;
}

export interface DescribeGroupsResponse {
  readonly throttleTimeMs: number;
  readonly groups: readonly DescribedGroup[];
}

export const describeGroups = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  key: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    const groups = f.array((f) => f.string());
    const includeAuthorizedOperations = version >= 3 ? f.bool() : false;
    f.tags();
    return { groups, includeAuthorizedOperations };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 1) f.int32(res.throttleTimeMs);
    f.structs(res.groups, (f, g) => {
      f.int16(g.errorCode)
        .string(g.groupId)
        .string(g.groupState)
        .string(g.protocolType)
        .string(g.protocolData);
      f.structs(g.members, (f, m) => {
        f.string(m.memberId);
        if (version >= 4) f.nullableString(m.groupInstanceId ?? null);
        f.string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment);
      });
      if (version >= 3) f.int32(g.authorizedOperations);
    });
    f.tags();
  },
  handle(req, _version, { cluster, allowed }) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId): DescribedGroup => {
        if (!allowed('Describe', { type: 'group', name: groupId })) {
          return {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            groupId,
            groupState: '',
            protocolType: '',
            protocolData: '',
            members: [],
            authorizedOperations: NOT_REQUESTED,
          };
        }
        const d = cluster.groups.describe(groupId);
        return {
          errorCode: ErrorCode.NONE,
          groupId,
          groupState: d.state,
          protocolType: d.protocolType,
          protocolData: d.protocolName,
          members: d.members,
          authorizedOperations: req.includeAuthorizedOperations
            ? GROUP_OPERATIONS.filter(([op]) => allowed(op, { type: 'group', name: groupId })).reduce(
                (bits, [, code]) => bits | (1 << code),
                0,
              )
            : NOT_REQUESTED,
        };
      }),
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: NOT_REQUESTED,
      })),
    };
  },
});
