import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/db/client';

// dynalite ships no types; it is a real implementation of the DynamoDB wire API, run in-process.
const dynalite = require('dynalite') as (opts: { createTableMs: number }) => {
  listen(port: number, cb: () => void): void;
  address(): AddressInfo;
  close(cb: () => void): void;
};

export const TABLES = {
  ORDERS_TABLE: 'orders',
  PAYMENTS_TABLE: 'payments',
  ESCROW_TABLE: 'escrow',
  TIMERS_TABLE: 'timers',
  NOTIFICATIONS_TABLE: 'notifications',
  LOGS_TABLE: 'logs',
} as const;

export interface Dynamo {
  readonly endpoint: string;
  readonly raw: DynamoDBClient;
  readonly client: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/**
 * Starts dynalite on a free port, points the SDK's standard settings at it and creates every table with the
 * conventions' key schema (pk, sk).
 */
export async function startDynamo(): Promise<Dynamo> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  Object.assign(process.env, TABLES);
  const raw = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const name of Object.values(TABLES)) {
    await raw.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  }
  return {
    endpoint,
    raw,
    client: createDocumentClient(raw),
    close: async () => {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
