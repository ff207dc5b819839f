import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { type AwsApi, startAwsApi } from '#local/aws-api/index';
import type { LocalFunction } from '#local/core/types';
import { credentials, FakeInvoker, MemoryLogStore } from '#test/support/aws-api';

const ORDER_GROUP = '/aws/lambda/OrderApiFunction';
const PAYMENT_GROUP = '/aws/lambda/PaymentConsumer';
const T0 = Date.UTC(2026, 2, 19, 13, 0, 0);

const idleFunction = {
  logicalId: 'EscrowConsumerA1',
  constructId: 'EscrowConsumer',
  functionName: 'EscrowConsumer',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:EscrowConsumer',
  assetPath: '/tmp/asset',
  handler: 'index.handler',
  environment: {},
  logGroupName: '/aws/lambda/EscrowConsumer',
  timeoutSeconds: 30,
  memoryMb: 512,
} satisfies LocalFunction;

describe('local CloudWatch Logs API', () => {
  let api: AwsApi;
  let client: CloudWatchLogsClient;
  const logs = new MemoryLogStore();

  beforeAll(async () => {
    for (let i = 0; i < 25; i += 1) {
      logs.append(ORDER_GROUP, i % 2 === 0 ? '2026/03/19/[$LATEST]aaa' : '2026/03/19/[$LATEST]bbb', [
        { timestamp: T0 + i * 1000, message: `order ${i} ${i % 5 === 0 ? 'ERROR' : 'INFO'}` },
      ]);
    }
    logs.append(PAYMENT_GROUP, 'stream-p', [
      { timestamp: T0, message: 'payment authorized', ingestionTime: T0 + 5 },
    ]);
    api = await startAwsApi({ port: 0, invoker: new FakeInvoker(), logs, functions: [idleFunction] });
    client = new CloudWatchLogsClient({
      endpoint: api.url,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await api.stop();
  });

  it('pages FilterLogEvents through nextToken until every event is read', async () => {
    const messages: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(
        new FilterLogEventsCommand({ logGroupName: ORDER_GROUP, limit: 10, nextToken }),
      );
      messages.push(...(out.events ?? []).map((e) => e.message!));
      nextToken = out.nextToken;
      pages += 1;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(messages).toHaveLength(25);
    expect(messages[0]).toBe('order 0 ERROR');
    expect(messages[24]).toBe('order 24 INFO');
  });

  it('returns FilterLogEvents fields as CloudWatch does, filtered by pattern, time and stream', async () => {
    const out = await client.send(
      new FilterLogEventsCommand({
        logGroupIdentifier: `arn:aws:logs:us-east-1:000000000000:log-group:${ORDER_GROUP}`,
        filterPattern: 'ERROR',
        startTime: T0 + 1000,
        logStreamNames: ['2026/03/19/[$LATEST]aaa'],
      }),
    );
    expect(out.events?.map((e) => e.message)).toEqual(['order 10 ERROR', 'order 20 ERROR']);
    expect(out.events?.[0]).toMatchObject({
      logStreamName: '2026/03/19/[$LATEST]aaa',
      timestamp: T0 + 10_000,
      ingestionTime: T0 + 10_000,
    });
    expect(typeof out.events?.[0]?.eventId).toBe('string');
  });

  it('answers an unknown log group with ResourceNotFoundException', async () => {
    await expect(
      client.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/Nope' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('rejects FilterLogEvents without a log group with InvalidParameterException', async () => {
    await expect(client.send(new FilterLogEventsCommand({}))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('describes log groups, including those of functions that have not logged yet', async () => {
    const all = await client.send(new DescribeLogGroupsCommand({}));
    expect(all.logGroups?.map((g) => g.logGroupName)).toEqual([
      '/aws/lambda/EscrowConsumer',
      ORDER_GROUP,
      PAYMENT_GROUP,
    ]);
    expect(all.logGroups?.[1]?.arn).toBe(`arn:aws:logs:us-east-1:000000000000:log-group:${ORDER_GROUP}:*`);
    const paged = await client.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/', limit: 2 }),
    );
    expect(paged.logGroups).toHaveLength(2);
    const rest = await client.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/', nextToken: paged.nextToken }),
    );
    expect(rest.logGroups?.map((g) => g.logGroupName)).toEqual([PAYMENT_GROUP]);
    expect(rest.nextToken).toBeUndefined();
  });

  it('describes the log streams of a group', async () => {
    const out = await client.send(
      new DescribeLogStreamsCommand({
        logGroupName: ORDER_GROUP,
        orderBy: 'LastEventTime',
        descending: true,
      }),
    );
    expect(out.logStreams?.map((s) => s.logStreamName)).toEqual([
      '2026/03/19/[$LATEST]aaa',
      '2026/03/19/[$LATEST]bbb',
    ]);
    expect(out.logStreams?.[0]).toMatchObject({ firstEventTimestamp: T0, lastEventTimestamp: T0 + 24_000 });
  });

  it('reads one stream with GetLogEvents, from the tail by default and forward with tokens', async () => {
    const stream = '2026/03/19/[$LATEST]bbb';
    const tail = await client.send(
      new GetLogEventsCommand({ logGroupName: ORDER_GROUP, logStreamName: stream, limit: 2 }),
    );
    expect(tail.events?.map((e) => e.message)).toEqual(['order 21 INFO', 'order 23 INFO']);

    const head = await client.send(
      new GetLogEventsCommand({
        logGroupName: ORDER_GROUP,
        logStreamName: stream,
        limit: 5,
        startFromHead: true,
      }),
    );
    expect(head.events?.map((e) => e.message)).toEqual([
      'order 1 INFO',
      'order 3 INFO',
      'order 5 ERROR',
      'order 7 INFO',
      'order 9 INFO',
    ]);
    const next = await client.send(
      new GetLogEventsCommand({
        logGroupName: ORDER_GROUP,
        logStreamName: stream,
        limit: 5,
        nextToken: head.nextForwardToken,
      }),
    );
    expect(next.events?.[0]?.message).toBe('order 11 INFO');
    const end = await client.send(
      new GetLogEventsCommand({
        logGroupName: ORDER_GROUP,
        logStreamName: stream,
        nextToken: tail.nextForwardToken,
      }),
    );
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(tail.nextForwardToken);
  });

  it('rejects a token it did not issue', async () => {
    await expect(
      client.send(
        new GetLogEventsCommand({ logGroupName: ORDER_GROUP, logStreamName: 'x', nextToken: 'garbage' }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
