import type { MemberDescription } from '../groups/group';
import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * DescribeGroups (key 15), versions 0-2.
 *
 * Request: groups [string]
 * Response: v1+: throttle_time_ms int32,
 *   groups [error_code int16, group_id string, group_state string, protocol_type string, protocol_data string,
 *           members [member_id string, client_id string, client_host string, member_metadata bytes,
 *                    member_assignment bytes]]
 *
 * An unknown group is described as "Dead" with no error, as Kafka does; a group known only by its
 * committed offsets is "Empty".
 */
export interface DescribeGroupsRequest {
  readonly groups: readonly string[];
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly groupState: string;
  readonly protocolType: string;
  readonly protocolData: string;
  readonly members: readonly MemberDescription[];
}

export interface DescribeGroupsResponse {
  readonly throttleTimeMs: number;
  readonly groups: readonly DescribedGroup[];
}

export const describeGroups = defineApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  key: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 2,
  decode(r) {
    return { groups: r.array((r) => r.string()) };
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(res.throttleTimeMs);
    w.array(res.groups, (w, g) => {
      w.int16(g.errorCode)
        .string(g.groupId)
        .string(g.groupState)
        .string(g.protocolType)
        .string(g.protocolData);
      w.array(g.members, (w, m) => {
        w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment);
      });
    });
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
      })),
    };
  },
});
