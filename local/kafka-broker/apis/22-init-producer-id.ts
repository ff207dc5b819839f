import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi } from './types';

/**
 * InitProducerId (key 22), versions 0-4 (flexible from v2).
 *
 * Request: transactional_id nullable string, transaction_timeout_ms int32,
 *   v3+: producer_id int64, producer_epoch int16 (KIP-360: an existing producer asking for a new epoch)
 * Response: throttle_time_ms int32, error_code int16, producer_id int64, producer_epoch int16
 * v2+: compact strings and tag sections. v4 only adds error codes a client may see.
 *
 * Hands out fresh producer ids (never one used before a restart) so idempotent producers can start; their
 * sequence numbers are checked by Produce (producers.ts). Transactions are not supported (a transactional
 * id gets the same treatment; commits are not served). A v3+ request naming a producer id it was given
 * (epoch >= 0) gets the same id with the next epoch, which resets its sequences; an id this broker never
 * handed out gets a fresh one.
 */
const FLEXIBLE = 2;
const MAX_EPOCH = 32767;

export interface InitProducerIdRequest {
  readonly transactionalId: string | null;
  readonly transactionTimeoutMs: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
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
  maxVersion: 4,
  flexibleFrom: FLEXIBLE,
  decode(r, version) {
    const f = new FieldReader(r, version >= FLEXIBLE);
    return f.struct((f) => ({
      transactionalId: f.nullableString(),
      transactionTimeoutMs: f.int32(),
      producerId: version >= 3 ? f.int64() : -1n,
      producerEpoch: version >= 3 ? f.int16() : -1,
    }));
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= FLEXIBLE);
    f.int32(res.throttleTimeMs).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch).tags();
  },
  handle(req, _version, { cluster }) {
    const bumped =
      req.producerId >= 0n && req.producerEpoch >= 0 && req.producerEpoch < MAX_EPOCH
        ? cluster.producerIdHandedOut(req.producerId)
        : false;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerId: bumped ? req.producerId : cluster.allocateProducerId(),
      producerEpoch: bumped ? req.producerEpoch + 1 : 0,
    };
  },
  errorResponse(_req, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
  },
});
