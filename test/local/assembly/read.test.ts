import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findFunction, readAssembly } from '#local/assembly/index';
import { writeFixtureAssembly } from '#test/support/fixture-assembly';

describe('readAssembly (fixture cloud assembly)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-'));
    writeFixtureAssembly(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads functions with resolved environment, asset path, log group and limits', () => {
    const model = readAssembly({ assemblyDir: dir, region: 'us-east-1' });
    expect(model.region).toBe('us-east-1');
    expect(model.accountId).toBe('000000000000');
    expect(model.functions.map((f) => f.constructId).sort()).toEqual(['OrderApiFunction', 'OrderConsumer']);
    const api = findFunction(model, 'OrderApiFunction')!;
    expect(api).toMatchObject({
      logicalId: 'OrderApiFunction9C8D7E6F',
      functionName: 'campusg-test-order-api',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:campusg-test-order-api',
      assetPath: path.join(dir, 'asset.aaa'),
      handler: 'index.handler',
      logGroupName: '/aws/lambda/campusg-test-order-api',
      timeoutSeconds: 10,
      memoryMb: 512,
      runtime: 'nodejs22.x',
    });
    expect(api.environment).toEqual({
      CAMPUSG_SERVICE: 'order',
      ORDERS_TABLE: 'campusg-test-orders',
      MSK_CLUSTER_ARN: expect.stringMatching(/^arn:aws:kafka:us-east-1:000000000000:cluster\//),
      KAFKA_AUTH: 'iam',
      SELF_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:campusg-test-order-api',
      NODE_OPTIONS: '--enable-source-maps',
    });
    const consumer = findFunction(model, 'OrderConsumer')!;
    expect(consumer.functionName).toBe('CampusG-test-Services-OrderConsumerABCDEF12');
    expect(consumer.logGroupName).toBe('/aws/lambda/CampusG-test-Services-OrderConsumerABCDEF12');
    expect(consumer).toMatchObject({ timeoutSeconds: 3, memoryMb: 128 });
  });

  it('reads tables, topics (Base64 JSON configs), schedule groups and outputs', () => {
    const model = readAssembly({ assemblyDir: dir });
    expect(model.tables).toHaveLength(1);
    expect(model.tables[0]!.tableName).toBe('campusg-test-orders');
    expect(model.tables[0]!.properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [{ IndexName: 'gsi1' }],
    });
    expect(model.topics).toEqual(
      expect.arrayContaining([
        {
          name: 'order-events',
          partitions: 3,
          configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' },
        },
        { name: 'dead-letters', partitions: 1, configs: {} },
      ]),
    );
    // payment-events is consumed but not declared: the reader adds it so the mapping has a topic
    expect(model.topics.find((t) => t.name === 'payment-events')).toBeDefined();
    expect(model.scheduleGroups).toEqual(['campusg-test-timers']);
    expect(model.outputs.OrdersTableName).toBe('campusg-test-orders');
  });

  it('reads MSK event-source mappings', () => {
    const model = readAssembly({ assemblyDir: dir });
    expect(model.eventSourceMappings).toEqual([
      {
        logicalId: 'OrderConsumerPaymentEventsEsm',
        functionArn:
          'arn:aws:lambda:us-east-1:000000000000:function:CampusG-test-Services-OrderConsumerABCDEF12',
        topic: 'payment-events',
        consumerGroupId: 'campusg-order-payment-events',
        batchSize: 50,
        maximumBatchingWindowInSeconds: 1,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 3,
        bisectBatchOnFunctionError: true,
        onFailureDestination: 'kafka://dead-letters',
        enabled: true,
        maximumRecordAgeInSeconds: 3600,
        functionResponseTypes: ['ReportBatchItemFailures'],
        filterPatterns: ['{"value":{"type":[{"prefix":"PAYMENT_"}]}}'],
        metrics: ['EventCount'],
      },
    ]);
  });

  it('reads HTTP API routes with their integration function and JWT authorizer', () => {
    const model = readAssembly({ assemblyDir: dir });
    const post = model.routes.find((r) => r.routeKey === 'POST /orders')!;
    expect(post).toMatchObject({
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:campusg-test-order-api',
      authorizationType: 'JWT',
      payloadFormatVersion: '2.0',
      jwtAuthorizer: {
        name: 'cognito',
        issuer: 'https://cognito-idp.us-east-1.amazonaws.com/pool',
        audience: ['client-1'],
        identitySource: ['$request.header.Authorization'],
      },
    });
    expect(model.routes.find((r) => r.routeKey === 'GET /health')).toMatchObject({
      authorizationType: 'NONE',
    });
  });

  it('reads log subscription filters', () => {
    const model = readAssembly({ assemblyDir: dir });
    expect(model.subscriptionFilters).toEqual([
      {
        logGroupName: '/aws/lambda/campusg-test-order-api',
        destinationArn:
          'arn:aws:lambda:us-east-1:000000000000:function:CampusG-test-Services-OrderConsumerABCDEF12',
        filterPattern: '',
        filterName: 'order-api-to-system-logs',
      },
    ]);
  });
});
