import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * InitProducerId (key 22), versions 0-1 (v2+ is flexible and not advertised).
 *
 * Request: transactional_id nullable string, transaction_timeout_ms int32
 * Response: throttle_time_ms int32, error_code int16, producer_id int64, producer_epoch int16
 *
 * Hands out fresh producer ids (never one used before a restart) so idempotent producers can start; their
 * sequence numbers are checked by Produce (producers.ts). Transactions are not supported (a transactional
 * id gets the same treatment; commits are not served).
 */
export interface InitProducerIdRequest {
  readonly transactionalId: string | null;
  readonly transactionTimeoutMs: number;
}

export interface InitProducerIdResponse {
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export const initProducerId = defineApi<InitProducerIdRequest, InitProducerIdResponse>({
  key: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  decode(r) {
    return { transactionalId: r.nullableString(), transactionTimeoutMs: r.int32() };
  },
  encode(w, res) {
    w.int32(res.throttleTimeMs).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch);
  },
  handle(_req, _version, { cluster }) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: cluster.allocateProducerId(),
      producerEpoch: 0,
    };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
  },
});
