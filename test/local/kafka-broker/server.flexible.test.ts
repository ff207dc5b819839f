import { apis, isFlexible } from '#local/kafka-broker/apis/index';
import { brokerPool } from '#test/support/kafka-broker/broker-pool';
import { int16, int32, int64, RawClient, recordBatch } from '#test/support/kafka-broker/raw-client';
import { fixtureFrame } from './apis/fixtures';

/**
 * The flexible versions (KIP-482) over a real socket: request header v2 with its tag section, response header
 * v1 with its tag byte (never for ApiVersions), and a produce -> list offsets -> fetch round trip at the
 * highest versions, encoded by hand from Kafka's message specs.
 */
const pool = brokerPool();

const cases = [...apis.values()].flatMap((api) =>
  Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => [
    api.name,
    api.minVersion + i,
    api.key,
  ]),
) as [string, number, number][];

const cat = (...parts: Buffer[]) => Buffer.concat(parts);
const uvar = (n: number) => Buffer.from([n]); // < 128 only
const cstr = (s: string) => cat(uvar(Buffer.byteLength(s) + 1), Buffer.from(s));
const carr = (...items: Buffer[]) => cat(uvar(items.length + 1), ...items);
const TAGS = uvar(0);

/** A flexible request frame: header v2 (non-compact client id, then tags) and the body. */
function flexibleFrame(key: number, version: number, correlationId: number, body: Buffer): Buffer {
  const header = cat(int16(key), int16(version), int32(correlationId), int16(1), Buffer.from('f'), TAGS);
  return cat(int32(header.length + body.length), header, body);
}

describe('flexible protocol versions over a socket', () => {
  it.each(cases)(
    '%s v%i: the fixture request is decoded and answered in order',
    async (_name, version, key) => {
      const broker = await pool.start({ topics: [{ name: 't', partitions: 1 }] });
      const api = apis.get(key)!;
      const client = await RawClient.open(broker.port);
      try {
        client.send(fixtureFrame(key, version, isFlexible(api, version), 4242));
        const response = await client.next();
        expect(response.readInt32BE(0)).toBe(4242);
        if (isFlexible(api, version) && key !== 18) expect(response[4]).toBe(0); // response header v1 tags
        expect(broker.requests.count(key, version)).toBe(1);
      } finally {
        client.close();
      }
    },
  );

  it('produces at Produce v9, finds the end at ListOffsets v7 and reads the record back at Fetch v12', async () => {
    const broker = await pool.start({ topics: [{ name: 'flex', partitions: 1 }] });
    const client = await RawClient.open(broker.port);
    try {
      const batch = recordBatch('flexible hello');
      // Produce v9: transactional_id, acks, timeout, topics [name, partitions [index, records]]
      client.send(
        flexibleFrame(
          0,
          9,
          1,
          cat(
            uvar(0),
            int16(-1),
            int32(5000),
            carr(cat(cstr('flex'), carr(cat(int32(0), uvar(batch.length + 1), batch, TAGS)), TAGS)),
            TAGS,
          ),
        ),
      );
      const produced = await client.next();
      // correlation id, header tags, responses [name, partitions [index, error, base offset, ...]]
      expect(produced.readInt32BE(0)).toBe(1);
      expect([...produced.subarray(4, 6)]).toEqual([0, 2]); // header tags, one topic
      const afterName = 6 + 1 + 'flex'.length;
      expect(produced[afterName]).toBe(2); // one partition
      expect(produced.readInt32BE(afterName + 1)).toBe(0); // partition index
      expect(produced.readInt16BE(afterName + 5)).toBe(0); // error code
      expect(produced.readBigInt64BE(afterName + 7)).toBe(0n); // base offset

      // ListOffsets v7: replica, isolation, topics [name, partitions [index, leader epoch, timestamp -1]]
      client.send(
        flexibleFrame(
          2,
          7,
          2,
          cat(
            int32(-1),
            Buffer.from([0]),
            carr(cat(cstr('flex'), carr(cat(int32(0), int32(-1), int64(-1n), TAGS)), TAGS)),
            TAGS,
          ),
        ),
      );
      const listed = await client.next();
      // correlation, tags, throttle, topics(1), name, partitions(1), index, error, timestamp, offset, epoch
      const at = 4 + 1 + 4 + 1 + 1 + 'flex'.length + 1;
      expect(listed.readInt32BE(at)).toBe(0);
      expect(listed.readInt16BE(at + 4)).toBe(0);
      expect(listed.readBigInt64BE(at + 14)).toBe(1n);
      expect(listed.readInt32BE(at + 22)).toBe(0);

      // Fetch v12 from offset 0
      client.send(
        flexibleFrame(
          1,
          12,
          3,
          cat(
            int32(-1),
            int32(100),
            int32(1),
            int32(1 << 20),
            Buffer.from([0]),
            int32(0),
            int32(-1),
            carr(
              cat(
                cstr('flex'),
                carr(cat(int32(0), int32(-1), int64(0n), int32(-1), int64(-1n), int32(1 << 20), TAGS)),
                TAGS,
              ),
            ),
            carr(),
            cstr(''),
            TAGS,
          ),
        ),
      );
      const fetched = await client.next();
      expect(fetched.readInt32BE(0)).toBe(3);
      expect(fetched.includes(Buffer.from('flexible hello'))).toBe(true);
      // The records field is compact bytes: length + 1 as an unsigned varint right before the batch.
      const start = fetched.indexOf(batch.subarray(8, 20)) - 8;
      const size = batch.length + 1;
      const varint = size < 128 ? [size] : [(size & 0x7f) | 0x80, size >> 7];
      expect([...fetched.subarray(start - varint.length, start)]).toEqual(varint);
      expect(fetched[start - varint.length - 1]).toBe(0xff); // preferred_read_replica -1 just before
      expect(broker.requests.versions(1)).toEqual([12]);
    } finally {
      client.close();
    }
  });
});
