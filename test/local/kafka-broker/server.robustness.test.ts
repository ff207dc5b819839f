import { ErrorCode } from '#local/kafka-broker/index';
import { brokerPool, kafkaFor, memoryLogger, waitFor } from '#test/support/kafka-broker/broker-pool';
import {
  int16,
  int32,
  int64,
  produceBody,
  RawClient,
  recordBatch,
  request,
  str,
} from '#test/support/kafka-broker/raw-client';

const pool = brokerPool();

/** ApiVersions v0 request frame. */
const apiVersions = (correlationId: number, version = 0) => request(18, version, correlationId);

/** A Fetch v4 body for one partition. */
function fetchBody(topic: string, offset: bigint, maxWaitMs: number): Buffer {
  return Buffer.concat([
    int32(-1),
    int32(maxWaitMs),
    int32(1), // min bytes
    int32(1024 * 1024),
    Buffer.from([0]), // isolation level
    int32(1),
    str(topic),
    int32(1),
    int32(0),
    int64(offset),
    int32(1024 * 1024),
  ]);
}

describe('embedded broker robustness', () => {
  const logger = memoryLogger();
  let broker: Awaited<ReturnType<typeof pool.start>>;
  beforeAll(async () => {
    broker = await pool.start({
      logger,
      maxFrameBytes: 64 * 1024,
      topics: [{ name: 'robust', partitions: 1 }],
    });
  });
  afterEach(() => broker.faults.clear());

  /** After every abuse, a real client still produces and reads offsets. */
  async function kafkajsStillWorks(): Promise<void> {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'robust', messages: [{ value: 'still alive' }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchTopicOffsets('robust');
    await admin.disconnect();
    expect(Number(offsets!.high)).toBeGreaterThan(0);
  }

  it('closes a connection that sends garbage bytes', async () => {
    const client = await RawClient.open(broker.port);
    client.send(Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    await client.closed;
    expect(logger.lines.some((l) => l.includes('frame of'))).toBe(true);
    await kafkajsStillWorks();
  });

  it('closes a connection that announces an oversize frame', async () => {
    const client = await RawClient.open(broker.port);
    client.send(int32(64 * 1024 + 1));
    await client.closed;
    expect(logger.lines.some((l) => l.includes(`frame of ${64 * 1024 + 1} bytes`))).toBe(true);
    await kafkajsStillWorks();
  });

  it('closes a connection whose frame ends inside a field', async () => {
    const client = await RawClient.open(broker.port);
    // Metadata v1 claiming 5 topic names but carrying none.
    client.send(request(3, 1, 1, int32(5)));
    await client.closed;
    expect(logger.lines.some((l) => l.includes('TruncatedFrameError'))).toBe(true);
    await kafkajsStillWorks();
  });

  it('logs a client that disconnects in the middle of a frame', async () => {
    const client = await RawClient.open(broker.port);
    client.send(apiVersions(1).subarray(0, 7));
    client.socket.end();
    await client.closed;
    // the broker logs when it sees the end of the stream, which may come after our side closed
    await waitFor(() => logger.lines.some((l) => l.includes('ended inside a frame')), 'the log line');
    await kafkajsStillWorks();
  });

  it('closes a connection that uses an unknown API key or version', async () => {
    const unknownKey = await RawClient.open(broker.port);
    unknownKey.send(request(999, 0, 1));
    await unknownKey.closed;
    const unknownVersion = await RawClient.open(broker.port);
    unknownVersion.send(request(3, 99, 1));
    await unknownVersion.closed;
    expect(logger.lines.some((l) => l.includes('unknown API key 999'))).toBe(true);
    expect(logger.lines.some((l) => l.includes('Metadata v99 is not served'))).toBe(true);
    await kafkajsStillWorks();
  });

  it('answers ApiVersions at an unknown version with error 35 and its own range', async () => {
    const client = await RawClient.open(broker.port);
    client.send(apiVersions(42, 77));
    const frame = await client.next();
    client.close();
    // correlation id, error 35, one entry: key 18, versions 0..3
    expect(frame.toString('hex')).toBe(
      Buffer.concat([int32(42), int16(35), int32(1), int16(18), int16(0), int16(3)]).toString('hex'),
    );
  });

  it('survives clients that vanish while their Fetch or JoinGroup is parked', async () => {
    const fetcher = await RawClient.open(broker.port);
    fetcher.send(request(1, 4, 1, fetchBody('robust', 1_000_000n, 5000)));
    fetcher.send(request(1, 4, 2, fetchBody('robust', 0n, 5000)));
    const joiner = await RawClient.open(broker.port);
    const join = Buffer.concat([
      str('vanishing'),
      int32(6000),
      int32(10_000),
      str(''),
      str('consumer'),
      int32(1),
      str('range'),
      int32(0),
    ]);
    joiner.send(request(11, 1, 1, join));
    await new Promise((resolve) => setTimeout(resolve, 100));
    fetcher.close();
    joiner.close();
    await kafkajsStillWorks();
  });

  it('answers pipelined requests in order while a Fetch is parked, and never answers acks=0', async () => {
    const client = await RawClient.open(broker.port);
    const { high } = (await (async () => {
      const admin = kafkaFor(broker).admin();
      await admin.connect();
      const [o] = await admin.fetchTopicOffsets('robust');
      await admin.disconnect();
      return o!;
    })())!;
    client.send(
      Buffer.concat([
        request(1, 4, 1, fetchBody('robust', BigInt(high), 300)), // parks: nothing new yet
        request(0, 3, 2, produceBody('robust', 0, 0, recordBatch('fire and forget'))),
        apiVersions(3),
      ]),
    );
    const first = await client.next();
    const second = await client.next();
    client.close();
    expect(first.readInt32BE(0)).toBe(1);
    expect(second.readInt32BE(0)).toBe(3);
  });

  it('rejects a batch with a bad CRC as CORRUPT_MESSAGE', async () => {
    const client = await RawClient.open(broker.port);
    const batch = recordBatch('tampered');
    batch[batch.length - 2] ^= 0xff;
    client.send(request(0, 3, 9, produceBody('robust', 0, 1, batch)));
    const frame = await client.next();
    client.close();
    // correlation id, 1 topic, name, 1 partition, index 0, error code
    const errorAt = 4 + 4 + 2 + 'robust'.length + 4 + 4;
    expect(frame.readInt16BE(errorAt)).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  describe('fault injection', () => {
    it('answers an intercepted request with the injected error code', async () => {
      broker.faults.add({ apiKey: 0, action: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }, times: 1 });
      const client = await RawClient.open(broker.port);
      client.send(request(0, 3, 1, produceBody('robust', 0, 1, recordBatch('one'))));
      client.send(request(0, 3, 2, produceBody('robust', 0, 1, recordBatch('two'))));
      const errorAt = 4 + 4 + 2 + 'robust'.length + 4 + 4;
      const first = await client.next();
      const second = await client.next();
      client.close();
      expect(first.readInt16BE(errorAt)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      expect(second.readInt16BE(errorAt)).toBe(ErrorCode.NONE);
    });

    it('drops the connection of an intercepted request', async () => {
      broker.faults.add({ apiKey: 18, action: 'drop', times: 1 });
      const dropped = await RawClient.open(broker.port);
      dropped.send(apiVersions(1));
      await dropped.closed;
      const next = await RawClient.open(broker.port);
      next.send(apiVersions(2));
      expect((await next.next()).readInt32BE(0)).toBe(2);
      next.close();
    });

    it('delays an intercepted response without reordering the connection', async () => {
      broker.faults.add({ apiKey: 18, action: { delayMs: 200 }, times: 1 });
      const client = await RawClient.open(broker.port);
      client.send(Buffer.concat([apiVersions(1), request(3, 1, 2, int32(0))]));
      const first = await client.next();
      const second = await client.next();
      client.close();
      expect([first.readInt32BE(0), second.readInt32BE(0)]).toEqual([1, 2]);
    });

    it('lets kafkajs retry through a transient error', async () => {
      broker.faults.add({ apiKey: 0, action: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }, times: 2 });
      await kafkajsStillWorks();
    });
  });
});
