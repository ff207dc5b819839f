/**
 * The DynamoDB meter of `campusg cost` in front of a real dynalite: request units as DynamoDB bills them
 * (1 WRU per started KB written, 1 RRU per started 4 KB read strongly consistent, half eventually
 * consistent, failed conditional writes billed), per table and per partition key, and item sizes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type DynamoDbMeter, itemSize, LogMeter, startDynamoDbMeter } from '#local/cli/cost-meter';
import { createTables, type LocalDynamo, startDynalite } from '#local/runtime/dynamo';

describe('itemSize', () => {
  it('counts names and values the way DynamoDB sizes items', () => {
    // "pk"(2) + "a"(1) = 3 ; "n"(1) + 12345 (5 digits -> 3 + 1 = 4) = 5 ; "b"(1) + true (1) = 2 ; "m"(1) + map 3 + ("x"(1)+1 + "yz"(2)) = 8
    expect(
      itemSize({ pk: { S: 'a' }, n: { N: '12345' }, b: { BOOL: true }, m: { M: { x: { S: 'yz' } } } }),
    ).toBe(3 + 5 + 2 + 8);
  });
});

describe('startDynamoDbMeter', () => {
  let dynamo: LocalDynamo;
  let meter: DynamoDbMeter;
  let doc: DynamoDBDocumentClient;

  beforeAll(async () => {
    dynamo = await startDynalite({ inProcess: true });
    meter = await startDynamoDbMeter(dynamo.endpoint);
    const client = new DynamoDBClient({
      endpoint: meter.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await createTables(client, [
      {
        logicalId: 'T',
        tableName: 'ttt',
        properties: {
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        },
      },
    ]);
    doc = DynamoDBDocumentClient.from(client);
  });

  afterAll(async () => {
    doc?.destroy();
    await meter?.stop();
    await dynamo?.stop();
  });

  it('counts write and read units by item size, and failed conditional writes', async () => {
    meter.resetCounts();
    // about 1.5 KB: 2 WRU to write; 1 RRU strongly consistent (under 4 KB), 0.5 eventually consistent
    const item = { pk: 'K', sk: 'S', body: 'x'.repeat(1500) };
    await doc.send(new PutCommand({ TableName: 'ttt', Item: item }));
    await doc.send(new GetCommand({ TableName: 'ttt', Key: { pk: 'K', sk: 'S' }, ConsistentRead: true }));
    await doc.send(new GetCommand({ TableName: 'ttt', Key: { pk: 'K', sk: 'S' } }));
    await expect(
      doc.send(
        new PutCommand({ TableName: 'ttt', Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      ),
    ).rejects.toThrow(/conditional/i);
    const t = meter.tables.get('ttt')!;
    expect(t.wru).toBe(2 + 2);
    expect(t.rru).toBe(1 + 0.5);
    expect(t.byKey.get('K')).toBe(4);
    expect(t.items.get('K\0S')).toBe(
      itemSize({ pk: { S: 'K' }, sk: { S: 'S' }, body: { S: 'x'.repeat(1500) } }),
    );
  });
});

describe('LogMeter', () => {
  it('counts invocations and billed ms from REPORT lines and bytes from every event', () => {
    const m = new LogMeter();
    m.observe('/aws/lambda/f', [
      { message: 'hello' },
      { message: 'REPORT RequestId: 1\tDuration: 10.50 ms\tBilled Duration: 11 ms\tMemory Size: 512 MB' },
    ]);
    expect(m.functions.get('/aws/lambda/f')).toEqual({ invocations: 1, billedMs: 11 });
    expect(m.events).toBe(2);
    expect(m.bytes).toBe(
      5 +
        26 +
        Buffer.byteLength(
          'REPORT RequestId: 1\tDuration: 10.50 ms\tBilled Duration: 11 ms\tMemory Size: 512 MB',
        ) +
        26,
    );
  });
});
