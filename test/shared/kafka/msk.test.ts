import { FIXTURES } from '#shared/contracts/fixtures';
import type { MSKEvent } from '#shared/kafka';
import { decodeMskEvent } from '#shared/kafka';
import fixture from '../../fixtures/aws-events/msk-event.json';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('decodeMskEvent', () => {
  it('decodes the documented MSK batch: keys, headers, partitions, and a non-JSON value as an error', async () => {
    const records = await decodeMskEvent(fixture as unknown as MSKEvent);
    expect(records.map((r) => `${r.topic}-${r.partition}@${r.offset}`)).toEqual([
      'order-events-0@15',
      'order-events-0@16',
      'order-events-1@3',
    ]);

    const [first, poison, keyless] = records;
    expect(first!.key).toBe('order-123');
    expect(first!.headers.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(first!.result.ok).toBe(true);
    if (first!.result.ok) {
      expect(first!.result.event.type).toBe('ORDER_CREATED');
      expect(first!.result.event.correlationId).toBe('order-123');
    }

    expect(poison!.result.ok).toBe(false);
    if (!poison!.result.ok) expect(poison!.result.error.reason).toBe('NOT_JSON');
    expect(poison!.rawValue).toBe('e25vdCBqc29u');
    expect(Buffer.from(poison!.rawValue!, 'base64').toString()).toBe('{not json');

    expect(keyless!.key).toBeNull();
    expect(keyless!.rawKey).toBeNull();
    expect(keyless!.result.ok).toBe(true);
  });

  it('reports schema violations per record, naming the field, and keeps the others', async () => {
    const bad = { ...FIXTURES.FUNDS_HELD, payload: { ...FIXTURES.FUNDS_HELD.payload, amountCents: 9.5 } };
    const event: MSKEvent = {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/campusg/x',
      bootstrapServers: 'b-1:9098',
      records: {
        'escrow-events-2': [
          {
            topic: 'escrow-events',
            partition: 2,
            offset: 7,
            timestamp: 1,
            timestampType: 'CREATE_TIME',
            key: b64('ord_fixture1'),
            value: b64(JSON.stringify(bad)),
            headers: [],
          },
          {
            topic: 'escrow-events',
            partition: 2,
            offset: 8,
            timestamp: 2,
            timestampType: 'CREATE_TIME',
            key: b64('ord_fixture1'),
            value: b64(JSON.stringify(FIXTURES.FUNDS_HELD)),
            headers: [{ a: [49] }, { a: [50] }],
          },
        ],
      },
    } as unknown as MSKEvent;
    const [broken, good] = await decodeMskEvent(event);
    expect(broken!.result.ok).toBe(false);
    if (!broken!.result.ok) {
      expect(broken!.result.error.reason).toBe('SCHEMA_VIOLATION');
      expect(broken!.result.error.problems.map((p) => p.path)).toEqual(['payload.amountCents']);
    }
    expect(good!.result).toEqual({ ok: true, event: FIXTURES.FUNDS_HELD });
    expect(good!.headers).toEqual({ a: '2' });
  });

  it('rejects an event that is not an MSK batch', async () => {
    await expect(decodeMskEvent({ nope: true } as unknown as MSKEvent)).rejects.toThrow(
      /not a valid MSKEvent/,
    );
  });
});
