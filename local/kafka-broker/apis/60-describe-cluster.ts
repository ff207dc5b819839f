import { type AclOperation, CLUSTER_RESOURCE } from '../authorizer';
import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * DescribeCluster (key 60), versions 0-1, flexible from v0 (compact strings and arrays, tagged fields).
 *
 * Request: include_cluster_authorized_operations bool, v1+: endpoint_type int8 (1 = brokers,
 *   2 = controllers), tagged_fields
 * Response: throttle_time_ms int32, error_code int16, error_message compact nullable string,
 *   v1+: endpoint_type int8, cluster_id compact string, controller_id int32,
 *   brokers compact [broker_id int32, host compact string, port int32, rack compact nullable string,
 *   tagged_fields], cluster_authorized_operations int32, tagged_fields
 *
 * Single node: the one broker is also the controller. Needs Describe on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, 31). Asking a broker for controller endpoints answers
 * UNSUPPORTED_ENDPOINT_TYPE (119), as Kafka's brokers do. The authorized operations are Kafka's bit set
 * (bit n = operation code n) of the cluster operations this broker checks, or INT32_MIN when not asked for.
 */
const BROKERS = 1;
/** Kafka's "authorized operations not requested" value. */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

/** Kafka's AclOperation codes of the cluster operations this broker's authorizer knows. */
const OPERATION_CODES: readonly [AclOperation, number][] = [
  ['Create', 5],
  ['Alter', 7],
  ['Describe', 8],
  ['DescribeConfigs', 10],
  ['AlterConfigs', 11],
];

export interface DescribeClusterRequest {
  readonly includeClusterAuthorizedOperations: boolean;
  /** 1 (brokers) below v1. */
  readonly endpointType: number;
}

export interface DescribeClusterResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly endpointType: number;
  readonly clusterId: string;
  readonly controllerId: number;
  readonly brokers: readonly { brokerId: number; host: string; port: number; rack: string | null }[];
  readonly clusterAuthorizedOperations: number;
}

export const describeCluster = defineApi<DescribeClusterRequest, DescribeClusterResponse>({
  key: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 0,
  decode(r, version) {
    const includeClusterAuthorizedOperations = r.bool();
    const endpointType = version >= 1 ? r.int8() : BROKERS;
    r.taggedFields();
    return { includeClusterAuthorizedOperations, endpointType };
  },
  encode(w, res, version) {
    w.int32(res.throttleTimeMs).int16(res.errorCode).compactNullableString(res.errorMessage);
    if (version >= 1) w.int8(res.endpointType);
    w.compactString(res.clusterId).int32(res.controllerId);
    w.compactArray(res.brokers, (w, b) => {
      w.int32(b.brokerId).compactString(b.host).int32(b.port).compactNullableString(b.rack).taggedFields();
    });
    w.int32(res.clusterAuthorizedOperations).taggedFields();
  },
  handle(req, _version, { cluster, session, allowed }) {
    const base = {
      throttleTimeMs: 0,
      endpointType: req.endpointType,
      clusterId: cluster.clusterId,
      controllerId: cluster.nodeId,
    };
    const cannot = (errorCode: number, errorMessage: string) => ({
      ...base,
      errorCode,
      errorMessage,
      brokers: [],
      clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
    });
    const clusterResource = { type: 'cluster' as const, name: CLUSTER_RESOURCE };
    if (!allowed('Describe', clusterResource)) {
      return cannot(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'not authorized to describe the cluster');
    }
    if (req.endpointType !== BROKERS) {
      return cannot(
        ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        `endpoint type ${req.endpointType} is not served by a broker; ask for brokers (1)`,
      );
    }
    const operations = req.includeClusterAuthorizedOperations
      ? OPERATION_CODES.filter(([op]) => allowed(op, clusterResource)).reduce(
          (bits, [, code]) => bits | (1 << code),
          0,
        )
      : OPERATIONS_NOT_REQUESTED;
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      brokers: [
        { brokerId: cluster.nodeId, host: cluster.advertisedHost, port: session.listener.port, rack: null },
      ],
      clusterAuthorizedOperations: operations,
    };
  },
  errorResponse(req, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      errorMessage: null,
      endpointType: req.endpointType,
      clusterId: '',
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
    };
  },
});
