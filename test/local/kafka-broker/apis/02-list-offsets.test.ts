/**
 * ListOffsets v0 (local/kafka-broker/apis/02-list-offsets.ts) through the running broker in raw frames
 * (no client installed here still speaks v0): the earliest and latest offsets and the offset of a timestamp
 * come back as one-element lists, cut to max_num_offsets, and a timestamp past the end answers none.
 */
import { ErrorCode } from '#local/kafka-broker/protocol/error-codes';
import { brokerPool, kafkaFor } from '#test/support/kafka-broker/broker-pool';
import { int32, int64, RawClient, request, str } from '#test/support/kafka-broker/raw-client';

const pool = brokerPool();
const T0 = 1_700_000_000_000;

/** ListOffsets v0 for partition 0 of `topic`: the error code and the offsets. */
async function listOffsetsV0(
  port: number,
  topic: string,
  timestamp: bigint,
  maxNumOffsets: number,
): Promise<{ errorCode: number; offsets: bigint[] }> {
  const client = await RawClient.open(port);
  const body = Buffer.concat([
    int32(-1),
    int32(1),
    str(topic),
    int32(1),
    int32(0),
    int64(timestamp),
    int32(maxNumOffsets),
  ]);
  client.send(request(2, 0, 3, body));
  const res = await client.next();
  client.close();
  // correlation, [name, [partition_index, error_code, [offset]]]
  let at = 4 + 4 + 2 + Buffer.byteLength(topic) + 4 + 4;
  const errorCode = res.readInt16BE(at);
  at += 2;
  const count = res.readInt32BE(at);
  at += 4;
  const offsets = Array.from({ length: count }, (_, i) => res.readBigInt64BE(at + 8 * i));
  expect(res.length).toBe(at + 8 * count);
  return { errorCode, offsets };
}

describe('ListOffsets v0', () => {
  it('answers the earliest, latest and by-timestamp offsets as lists', async () => {
    const broker = await pool.start();
    const producer = kafkaFor(broker).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: 'v0',
        messages: [0, 1, 2].map((i) => ({ value: `r${i}`, partition: 0, timestamp: String(T0 + i * 1000) })),
      });
    } finally {
      await producer.disconnect();
    }
    expect(await listOffsetsV0(broker.port, 'v0', -2n, 1)).toEqual({
      errorCode: ErrorCode.NONE,
      offsets: [0n],
    });
    expect(await listOffsetsV0(broker.port, 'v0', -1n, 5)).toEqual({
      errorCode: ErrorCode.NONE,
      offsets: [3n],
    });
    expect(await listOffsetsV0(broker.port, 'v0', BigInt(T0 + 1500), 1)).toEqual({
      errorCode: ErrorCode.NONE,
      offsets: [2n],
    });
    expect(await listOffsetsV0(broker.port, 'v0', BigInt(T0 + 9000), 1)).toEqual({
      errorCode: ErrorCode.NONE,
      offsets: [],
    });
    expect(await listOffsetsV0(broker.port, 'v0', -1n, 0)).toEqual({
      errorCode: ErrorCode.NONE,
      offsets: [],
    });
  });

  it('answers an unknown partition with its error and no offsets', async () => {
    const broker = await pool.start({ autoCreateTopics: false });
    expect(await listOffsetsV0(broker.port, 'missing', -1n, 1)).toEqual({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      offsets: [],
    });
  });
});
