/**
 * Idempotent producers (issue 15, defect 3): a retried batch is stored once and answered with its
 * original offset, a sequence gap is refused with OUT_OF_ORDER_SEQUENCE_NUMBER, and the state survives a
 * restart on a data directory. Real clients (kafkajs, kcat) are made to retry by a fault that serves the
 * Produce and drops the connection before the answer, exactly what a lost response looks like.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Broker, ErrorCode, startBroker } from '#local/kafka-broker/index';
import { encodeBatch } from '#test/support/kafka-broker/batches';
import { brokerPool, kafkaFor, memoryLogger, run } from '#test/support/kafka-broker/broker-pool';
import { produceBody, RawClient, request } from '#test/support/kafka-broker/raw-client';
import { withTool } from '#test/support/outside-tools';

const pool = brokerPool();
const kcat = withTool('kcat');

/** Produce v3 for one batch; resolves with the partition's error code and base offset. */
async function produceRaw(client: RawClient, topic: string, batch: Buffer, correlationId: number) {
  client.send(request(0, 3, correlationId, produceBody(topic, 0, -1, batch)));
  const res = await client.next();
  expect(res.readInt32BE(0)).toBe(correlationId);
  // correlation id, topics [name, partitions [index, error, base offset, append time]], throttle
  const nameLength = res.readInt16BE(8);
  const at = 10 + nameLength + 4 + 4;
  return { errorCode: res.readInt16BE(at), baseOffset: res.readBigInt64BE(at + 2) };
}

function idempotentBatch(
  values: string[],
  producerId: bigint,
  baseSequence: number,
  producerEpoch = 0,
): Buffer {
  return encodeBatch(
    values.map((value) => ({ value })),
    { producerId, producerEpoch, baseSequence },
  ).bytes;
}

async function highWatermark(broker: Broker, topic: string): Promise<bigint> {
  return broker.storage.partition(topic, 0)!.highWatermark();
}

describe('idempotent produce', () => {
  it('stores a retried batch once and answers it with the original offset', async () => {
    const broker = await pool.start({ topics: [{ name: 'idem', partitions: 1 }] });
    const client = await RawClient.open(broker.port);
    const first = idempotentBatch(['a', 'b'], 7n, 0);
    expect(await produceRaw(client, 'idem', first, 1)).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await produceRaw(client, 'idem', idempotentBatch(['c'], 7n, 2), 2)).toEqual({
      errorCode: 0,
      baseOffset: 2n,
    });
    expect(await produceRaw(client, 'idem', first, 3)).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await highWatermark(broker, 'idem')).toBe(3n);
    client.close();
  });

  it('refuses a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER and stores nothing of it', async () => {
    const broker = await pool.start({ topics: [{ name: 'gap', partitions: 1 }] });
    const client = await RawClient.open(broker.port);
    await produceRaw(client, 'gap', idempotentBatch(['a'], 9n, 0), 1);
    expect(await produceRaw(client, 'gap', idempotentBatch(['c'], 9n, 2), 2)).toEqual({
      errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      baseOffset: -1n,
    });
    expect(await highWatermark(broker, 'gap')).toBe(1n);
    expect((await produceRaw(client, 'gap', idempotentBatch(['b'], 9n, 1), 3)).errorCode).toBe(0);
    client.close();
  });

  it('remembers the last 5 batches, refuses older epochs and unknown producers past sequence 0', async () => {
    const broker = await pool.start({ topics: [{ name: 'window', partitions: 1 }] });
    const client = await RawClient.open(broker.port);
    const batches = Array.from({ length: 6 }, (_, i) => idempotentBatch([`v${i}`], 11n, i, 1));
    for (const [i, batch] of batches.entries()) {
      expect(await produceRaw(client, 'window', batch, i)).toEqual({ errorCode: 0, baseOffset: BigInt(i) });
    }
    expect(await produceRaw(client, 'window', batches[1]!, 10)).toEqual({ errorCode: 0, baseOffset: 1n });
    expect((await produceRaw(client, 'window', batches[0]!, 11)).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect((await produceRaw(client, 'window', idempotentBatch(['old'], 11n, 6, 0), 12)).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    expect((await produceRaw(client, 'window', idempotentBatch(['new'], 11n, 3, 2), 13)).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect((await produceRaw(client, 'window', idempotentBatch(['new'], 11n, 0, 2), 14)).errorCode).toBe(0);
    expect((await produceRaw(client, 'window', idempotentBatch(['x'], 12n, 4), 15)).errorCode).toBe(
      ErrorCode.UNKNOWN_PRODUCER_ID,
    );
    expect(await highWatermark(broker, 'window')).toBe(7n);
    client.close();
  });

  it('rebuilds the producer state from the data directory after a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'campusg-idem-'));
    try {
      const options = { port: 0, host: '127.0.0.1', dataDir, logger: memoryLogger() };
      let broker = await startBroker({ ...options, topics: [{ name: 'durable', partitions: 1 }] });
      let client = await RawClient.open(broker.port);
      const last = idempotentBatch(['b'], 21n, 1);
      await produceRaw(client, 'durable', idempotentBatch(['a'], 21n, 0), 1);
      await produceRaw(client, 'durable', last, 2);
      client.close();
      await broker.stop();

      broker = await startBroker(options);
      try {
        client = await RawClient.open(broker.port);
        expect(await produceRaw(client, 'durable', last, 3)).toEqual({ errorCode: 0, baseOffset: 1n });
        expect((await produceRaw(client, 'durable', idempotentBatch(['d'], 21n, 3), 4)).errorCode).toBe(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        );
        expect(await produceRaw(client, 'durable', idempotentBatch(['c'], 21n, 2), 5)).toEqual({
          errorCode: 0,
          baseOffset: 2n,
        });
        expect(await highWatermark(broker, 'durable')).toBe(3n);
        client.close();
      } finally {
        await broker.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stores a kafkajs idempotent producer retry once when the first answer is lost', async () => {
    const broker = await pool.start({ topics: [{ name: 'kafkajs-idem', partitions: 1 }] });
    const producer = kafkaFor(broker).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    broker.faults.add({ apiKey: 0, action: 'dropResponse', times: 1 });
    const [result] = await producer.send({
      topic: 'kafkajs-idem',
      acks: -1,
      messages: [{ value: 'once' }, { value: 'only' }],
    });
    await producer.disconnect();
    expect(result).toMatchObject({ errorCode: 0, baseOffset: '0' });
    expect(await highWatermark(broker, 'kafkajs-idem')).toBe(2n);
  });
});

kcat.describe('idempotent produce with kcat (librdkafka)', () => {
  // kcat exits when its only connection drops, so the lost answer is a REQUEST_TIMED_OUT after the write
  // (what a Kafka broker answers when replication times out after the leader appended).
  it('stores every line once when the first Produce is answered with a retriable error after the write', async () => {
    const broker = await pool.start({ topics: [{ name: 'kcat-idem', partitions: 1 }] });
    broker.faults.add({
      apiKey: 0,
      action: { errorCode: ErrorCode.REQUEST_TIMED_OUT, served: true },
      times: 1,
    });
    const lines = Array.from({ length: 20 }, (_, i) => `line-${i}`);
    const produced = await run(
      kcat.command,
      ['-b', broker.address, '-P', '-t', 'kcat-idem', '-X', 'enable.idempotence=true'],
      { input: `${lines.join('\n')}\n` },
    );
    expect(produced.code).toBe(0);
    expect(await highWatermark(broker, 'kcat-idem')).toBe(20n);
    const consumed = await run(kcat.command, [
      '-b',
      broker.address,
      '-C',
      '-t',
      'kcat-idem',
      '-o',
      'beginning',
      '-e',
    ]);
    expect(consumed.stdout).toBe(`${lines.join('\n')}\n`);
  });
});
