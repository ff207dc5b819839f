import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * FindCoordinator (key 10), versions 0-4 (flexible from v3). The minimum must be 0: librdkafka 2.0 turns
 * consumer groups off when v0 is not advertised.
 *
 * Request v0: key string (the group id)
 * Request v1-3: key string, key_type int8 (0 = group, 1 = transaction)
 * Request v4: key_type int8, coordinator_keys [string]        (KIP-699: several keys at once)
 * Response v0: error_code int16, node_id int32, host string, port int32
 * Response v1-3: throttle_time_ms int32, error_code int16, error_message nullable string, node_id int32,
 *   host string, port int32
 * Response v4: throttle_time_ms int32, coordinators [key string, node_id int32, host string, port int32,
 *   error_code int16, error_message nullable string]
 * v3+: compact encodings and tag sections.
 *
 * Single node: the coordinator of every group is this broker. A group the principal may not Describe gets
 * GROUP_AUTHORIZATION_FAILED (30) for its key.
 */
const FLEXIBLE = 3;

export interface FindCoordinatorRequest {
  /** One key below v4. */
  readonly keys: readonly string[];
  readonly keyType: number;
}

export interface Coordinator {
  readonly key: string;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export interface FindCoordinatorResponse {
  readonly throttleTimeMs: number;
  /** One per requested key; below v4 the first is the whole answer. */
  readonly coordinators: readonly Coordinator[];
}

function failure(key: string, errorCode: number, errorMessage: string | null = null): Coordinator {
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}

export const findCoordinator = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  key: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    return f.struct((f) => {
      if (version >= 4) {
        const keyType = f.int8();
        return { keyType, keys: f.array((f) => f.string()) };
      }
      const key = f.string();
      return { keys: [key], keyType: version >= 1 ? f.int8() : 0 };
    });
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    if (version >= 1) f.int32(res.throttleTimeMs);
    if (version >= 4) {
      f.structs(res.coordinators, (f, c) => {
        f.string(c.key).int32(c.nodeId).string(c.host).int32(c.port).int16(c.errorCode);
        f.nullableString(c.errorMessage);
      });
    } else {
      const c = res.coordinators[0] ?? failure('', ErrorCode.INVALID_REQUEST);
      f.int16(c.errorCode);
      if (version >= 1) f.nullableString(c.errorMessage);
      f.int32(c.nodeId).string(c.host).int32(c.port);
    }
    f.tags();
  },
  handle(req, _version, { cluster, session, allowed }) {
    return {
      throttleTimeMs: 0,
      coordinators: req.keys.map((key) => {
        if (req.keyType === 0 && !allowed('Describe', { type: 'group', name: key })) {
          return failure(
            key,
            ErrorCode.GROUP_AUTHORIZATION_FAILED,
            `not authorized to describe group ${key}`,
          );
        }
        return {
          key,
          nodeId: cluster.nodeId,
          host: cluster.advertisedHost,
          port: session.listener.port,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
        };
      }),
    };
  },
  errorResponse(req, _version, errorCode) {
    return { throttleTimeMs: 0, coordinators: req.keys.map((key) => failure(key, errorCode)) };
  },
});
