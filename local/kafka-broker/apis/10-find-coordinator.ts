import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * FindCoordinator (key 10), versions 0-2. The minimum must be 0: librdkafka 2.0 turns consumer groups off
 * when v0 is not advertised.
 *
 * Request v0: key string (the group id)
 * Request v1-2: key string, key_type int8 (0 = group, 1 = transaction)
 * Response v0: error_code int16, node_id int32, host string, port int32
 * Response v1-2: throttle_time_ms int32, error_code int16, error_message nullable string, node_id int32,
 *   host string, port int32
 *
 * Single node: the coordinator of every group is this broker.
 */
export interface FindCoordinatorRequest {
  readonly key: string;
  readonly keyType: number;
}

export interface FindCoordinatorResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export const findCoordinator = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  key: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  decode(r, version) {
    return { key: r.string(), keyType: version >= 1 ? r.int8() : 0 };
  },
  encode(w, res, version) {
    if (version >= 1) w.int32(res.throttleTimeMs);
    w.int16(res.errorCode);
    if (version >= 1) w.nullableString(res.errorMessage);
    w.int32(res.nodeId).string(res.host).int32(res.port);
  },
  handle(req, version, { cluster, session, allowed }) {
    if (req.keyType === 0 && !allowed('Describe', { type: 'group', name: req.key })) {
      return this.errorResponse(req, version, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: cluster.nodeId,
      host: cluster.advertisedHost,
      port: session.listener.port,
    };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, nodeId: -1, host: '', port: -1 };
  },
});
