import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CloudWatchLogsEvent } from 'aws-lambda';
import { makeHandler as shipper } from '#functions/logs/shipper';
import { makeHandler as sink } from '#functions/logs/sink';
import type { EventOf } from '#shared/contracts';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { mskEvent, silentLogger } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/aws-events', name), 'utf8');

function subscription(
  logEvents: { id: string; timestamp: number; message: string }[],
  messageType = 'DATA_MESSAGE',
): CloudWatchLogsEvent {
  const data = {
    messageType,
    owner: '123456789012',
    logGroup: '/aws/lambda/campusg-order',
    logStream: '2026/03/19/[$LATEST]abc',
    subscriptionFilters: ['f'],
    logEvents,
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

describe('log shipper and log sink', () => {
  let dynamo: Dynamo;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo.close());

  it('ships the documented subscription sample: the JSON line as a LOG_RECORD, the END line skipped', async () => {
    const publisher = new MemoryPublisher('log-shipper');
    const out = await shipper({ publisher, logger: silentLogger() })(
      JSON.parse(fixture('cloudwatch-logs-subscription.json')),
    );
    expect(out).toEqual({ shipped: 1, skipped: 1 });
    const [m] = publisher.published;
    expect(m?.topic).toBe('system-logs');
    expect(m?.key).toBe('order-123');
    expect(m?.event).toMatchObject({
      type: 'LOG_RECORD',
      correlationId: 'order-123',
      payload: {
        service: 'payment-service',
        level: 'INFO',
        message: 'Payment authorized',
        logGroup: '/aws/lambda/campusg-payment',
        loggedAt: 1773925200300,
        data: { orderId: 'order-123', amountCents: 900, correlation_id: 'order-123' },
      },
    });
  });

  it('keeps REPORT and plain-text errors, skips START/END, ignores control messages, and ids are stable', async () => {
    const publisher = new MemoryPublisher('log-shipper');
    const ship = shipper({ publisher, logger: silentLogger() });
    const event = subscription([
      { id: '1', timestamp: 1, message: 'START RequestId: r Version: $LATEST' },
      {
        id: '2',
        timestamp: 2,
        message: '2026-03-19T13:00:00.000Z\tr\tERROR\tInvoke Error {"errorType":"Error"}',
      },
      { id: '3', timestamp: 3, message: 'REPORT RequestId: r Duration: 2.1 ms' },
      { id: '4', timestamp: 4, message: 'Task timed out after 3.00 seconds' },
      {
        id: '5',
        timestamp: 5,
        message: '{"level":"warning","message":"slow","service":"order","orderId":"ord_1"}',
      },
      { id: '6', timestamp: 6, message: 'END RequestId: r' },
    ]);
    await ship(event);
    await ship(event);
    const records = publisher.events() as EventOf<'LOG_RECORD'>[];
    expect(records.slice(0, 4).map((r) => [r.payload.level, r.payload.service])).toEqual([
      ['ERROR', 'campusg-order'],
      ['INFO', 'campusg-order'],
      ['ERROR', 'campusg-order'],
      ['WARN', 'order'],
    ]);
    expect(records.slice(4).map((r) => r.id)).toEqual(records.slice(0, 4).map((r) => r.id));
    expect(await ship(subscription([], 'CONTROL_MESSAGE'))).toEqual({ shipped: 0, skipped: 0 });
  });

  it('with a batch-capable publisher ships a delivery in one request, keyed like single publishes', async () => {
    const single = new MemoryPublisher('log-shipper');
    const sent: { topic: string; keys: (string | undefined)[]; events: EventOf<'LOG_RECORD'>[] }[] = [];
    const batching = Object.assign(new MemoryPublisher('log-shipper'), {
      async publishAll(topic: string, items: { event: unknown; opts?: { key?: string } }[]) {
        sent.push({
          topic,
          keys: items.map((i) => i.opts?.key),
          events: items.map((i) => i.event as EventOf<'LOG_RECORD'>),
        });
      },
    });
    const event = JSON.parse(fixture('cloudwatch-logs-subscription.json'));
    await shipper({ publisher: single, logger: silentLogger() })(event);
    const out = await shipper({ publisher: batching, logger: silentLogger() })(event);
    expect(out).toEqual({ shipped: 1, skipped: 1 });
    expect(batching.published).toHaveLength(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.topic).toBe('system-logs');
    expect(sent[0]!.keys).toEqual(single.published.map((m) => m.key));
    expect(sent[0]!.events.map((e) => e.id)).toEqual(single.events().map((e) => e.id));
    expect(sent[0]!.events[0]).toMatchObject({ source: 'log-shipper', correlationId: 'order-123' });
  });

  it('stores records under their service and day and under their order; a redelivery stores nothing twice', async () => {
    const publisher = new MemoryPublisher('log-shipper');
    await shipper({ publisher, logger: silentLogger() })(
      JSON.parse(fixture('cloudwatch-logs-subscription.json')),
    );
    const sinkPublisher = new MemoryPublisher('log-sink');
    const store = sink({
      client: dynamo.client,
      tableName: () => TABLES.LOGS_TABLE,
      publisher: sinkPublisher,
      logger: silentLogger(),
    });
    const batch = mskEvent([
      { topic: 'system-logs', offset: 1, value: publisher.events()[0]! },
      { topic: 'system-logs', offset: 2, value: 'garbage' },
    ]);
    await store(batch);
    await store(batch);
    const q = (pk: string) =>
      dynamo.client.send(
        new QueryCommand({
          TableName: TABLES.LOGS_TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      );
    expect((await q('LOGS#payment-service#2026-03-19')).Items).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'Payment authorized', orderId: 'order-123' }),
    ]);
    expect((await q('ORDER#order-123')).Items).toHaveLength(1);
    expect(
      sinkPublisher.events('dead-letters').map((e) => e.type === 'DEAD_LETTER' && e.payload.reason),
    ).toEqual(['NOT_JSON', 'NOT_JSON']);
  });
});
