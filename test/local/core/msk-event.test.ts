/**
 * The MSK event format in one place: the documented event (test/fixtures/aws-events/msk-event.json) is what
 * the encoder gives for its decoded records, and the local ESM emulator (a polled kafkajs message) and the
 * tests' event builder (test/support/events.ts) give the same record for the same Kafka record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { encodeMskRecord, type MskEvent, toMskEvent } from '#local/core/msk-event';
import { toMskRecord } from '#local/runtime/esm';
import { mskEvent } from '#test/support/events';

const documented = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/aws-events/msk-event.json'), 'utf8'),
) as MskEvent;

it('re-encodes the documented MSK event record for record', () => {
  const records = Object.values(documented.records).flat();
  const again = toMskEvent(
    records.map((r) =>
      encodeMskRecord({
        ...r,
        key: r.key === null ? null : Buffer.from(r.key, 'base64'),
        value: r.value === null ? null : Buffer.from(r.value, 'base64'),
        headers: r.headers.flatMap((h) => Object.entries(h).map(([k, v]) => [k, Buffer.from(v)] as const)),
      }),
    ),
    documented,
  );
  expect(again).toEqual({ ...documented, records: documented.records });
});

it('gives the emulator and the tests the same record for the same Kafka record', () => {
  const message = {
    offset: '7',
    timestamp: '1773925200000',
    key: Buffer.from('order-1'),
    value: Buffer.from('{"hello":"kafka"}'),
    headers: { 'x-trace': Buffer.from('abc'), retry: ['1', '2'] },
    attributes: 0,
  } as unknown as KafkaMessage;
  const fromEmulator = toMskRecord('order-events', 2, message);
  const fromTests = mskEvent([
    {
      topic: 'order-events',
      partition: 2,
      offset: 7,
      timestamp: 1773925200000,
      key: 'order-1',
      value: '{"hello":"kafka"}',
      headers: { 'x-trace': 'abc' },
    },
  ]).records['order-events-2']![0];
  // The tests' builder takes one value per header; the emulator keeps repeated headers in order.
  expect(fromEmulator.headers).toEqual([
    { 'x-trace': [...Buffer.from('abc')] },
    { retry: [49] },
    { retry: [50] },
  ]);
  expect({ ...fromEmulator, headers: fromEmulator.headers.slice(0, 1) }).toEqual(fromTests);
});
