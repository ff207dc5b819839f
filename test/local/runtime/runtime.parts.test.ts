import * as net from 'node:net';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { LocalFunction, LocalTable } from '#local/core/types';
import { createTables, localDynamoClient, startDynalite } from '#local/runtime/dynamo';
import { lambdaEnvironment } from '#local/runtime/function-host';
import { assertPortFree, localOverrides, PortInUseError } from '#local/runtime/runtime';

describe('port checks', () => {
  it('names the port, the service and the flag when a port is taken', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as net.AddressInfo;
    try {
      await expect(assertPortFree(port, '127.0.0.1', 'kafka', '--kafka-port')).rejects.toThrow(
        new PortInUseError(port, 'kafka', '--kafka-port'),
      );
      await expect(assertPortFree(port, '127.0.0.1', 'kafka', '--kafka-port')).rejects.toThrow(
        `port ${port} is already in use (kafka); pass --kafka-port`,
      );
    } finally {
      server.close();
    }
    await expect(assertPortFree(port, '127.0.0.1', 'kafka', '--kafka-port')).resolves.toBeUndefined();
  });
});

describe('dynalite tables', () => {
  it('creates every table with its key schema and indexes, idempotently', async () => {
    const dynamo = await startDynalite({});
    const client = localDynamoClient(dynamo.endpoint, 'us-east-1');
    const table: LocalTable = {
      logicalId: 'OrdersTable',
      tableName: 'campusg-test-orders',
      properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byG',
            KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    };
    try {
      expect(await createTables(client, [table])).toEqual(['campusg-test-orders']);
      expect(await createTables(client, [table])).toEqual([]);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'campusg-test-orders' }));
      expect(Table?.KeySchema).toEqual(table.properties.KeySchema);
      expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('byG');
      expect(Table?.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe('PAY_PER_REQUEST');
    } finally {
      client.destroy();
      await dynamo.stop();
    }
  });
});

describe('function environment', () => {
  it('layers template, Lambda reserved variables and local overrides; drops MSK_CLUSTER_ARN', () => {
    const fn: LocalFunction = {
      logicalId: 'PaymentConsumerABC',
      constructId: 'PaymentConsumer',
      functionName: 'campusg-dev-payment-consumer',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:campusg-dev-payment-consumer',
      assetPath: '/tmp/asset.x',
      handler: 'index.handler',
      environment: {
        KAFKA_AUTH: 'iam',
        KAFKA_TLS: 'true',
        MSK_CLUSTER_ARN: 'arn:x',
        PAYMENTS_TABLE: 'campusg-dev-payments',
      },
      logGroupName: '/aws/lambda/campusg-dev-payment-consumer',
      timeoutSeconds: 60,
      memoryMb: 512,
      runtime: 'nodejs22.x',
    };
    const env = lambdaEnvironment(
      fn,
      {
        region: 'us-east-1',
        removeVariables: ['MSK_CLUSTER_ARN'],
        environmentOverrides: localOverrides({
          brokers: '127.0.0.1:9092',
          dynamodbEndpoint: 'http://127.0.0.1:8000',
          awsEndpoint: 'http://127.0.0.1:4577',
          region: 'us-east-1',
        }),
      },
      '2026/01/01/[$LATEST]abc',
    );
    expect(env).toMatchObject({
      PAYMENTS_TABLE: 'campusg-dev-payments',
      KAFKA_BROKERS: '127.0.0.1:9092',
      KAFKA_AUTH: 'none',
      KAFKA_TLS: 'false',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_SCHEDULER: 'http://127.0.0.1:4577',
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:4577',
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:4577',
      AWS_LAMBDA_FUNCTION_NAME: 'campusg-dev-payment-consumer',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/campusg-dev-payment-consumer',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]abc',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_REGION: 'us-east-1',
      LAMBDA_TASK_ROOT: '/tmp/asset.x',
      _HANDLER: 'index.handler',
      AWS_ACCESS_KEY_ID: 'local',
    });
    expect(env.MSK_CLUSTER_ARN).toBeUndefined();
  });
});
