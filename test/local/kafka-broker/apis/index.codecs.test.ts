import { apis } from '#local/kafka-broker/apis/index';
import { Reader } from '#local/kafka-broker/protocol/reader';
import { Writer } from '#local/kafka-broker/protocol/writer';
import { fixtures } from './fixtures';

/**
 * Byte-exact round trips of every API at every advertised version against the fixtures in fixtures.ts
 * (written from Kafka's message specs with their own primitive helpers, independent of the broker's Writer).
 */
const cases = [...apis.values()].flatMap((api) =>
  Array.from(
    { length: api.maxVersion - api.minVersion + 1 },
    (_, i) => [api.name, api.minVersion + i, api.key] as const,
  ),
);

describe('API codecs', () => {
  it('has fixtures for every API in the registry', () => {
    expect(
      Object.keys(fixtures)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([...apis.keys()].sort((a, b) => a - b));
  });

  it.each(cases)(
    '%s v%i decodes its request fixture and encodes its response fixture byte for byte',
    (_name, version, key) => {
      const api = apis.get(key)!;
      const fixture = fixtures[key]!(version);
      const reader = new Reader(fixture.request);
      expect(api.decode(reader, version)).toEqual(fixture.decoded);
      expect(reader.remaining).toBe(0);
      const writer = new Writer();
      api.encode(writer, fixture.response, version);
      expect(writer.toBuffer().toString('hex')).toBe(fixture.encoded.toString('hex'));
    },
  );
});
