/**
 * Local DynamoDB: an embedded dynalite (in memory, or persisted under `<dataDir>/dynamodb`), or an external
 * endpoint (DynamoDB Local, LocalStack). Creates every table of the model with its key schema, attribute
 * definitions, indexes and billing mode; tables that already exist (persisted state) are kept.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DEFAULT_HOST } from '#local/core/defaults';
import { closeServer, listenOn } from '#local/core/listen';
import type { LocalTable } from '#local/core/types';
import { profilingExecArgv } from './function-host';

export interface LocalDynamo {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface StartDynamoOptions {
  readonly host?: string;
  /** 0 = any free port. */
  readonly port?: number;
  /** Persist tables and items here (dynalite + LevelDB); in memory when undefined. */
  readonly path?: string;
}

/**
 * Starts dynalite in a child process (default), so its CPU work runs beside the broker instead of on the
 * runtime's event loop; `inProcess: true` keeps it in this process.
 */
export async function startDynalite(
  options: StartDynamoOptions & { inProcess?: boolean } = {},
): Promise<LocalDynamo> {
  const host = options.host ?? DEFAULT_HOST;
  if (options.path) fs.mkdirSync(options.path, { recursive: true });
  if (!options.inProcess) return startDynaliteProcess(host, options);
  // dynalite has no types; it is a CommonJS factory returning an http.Server
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => import('node:http').Server;
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  const { url } = await listenOn(server, options.port ?? 0, host);
  return { endpoint: url, stop: () => closeServer(server) };
}

async function startDynaliteProcess(host: string, options: StartDynamoOptions): Promise<LocalDynamo> {
  const child = fork(
    path.join(__dirname, 'dynalite-process.js'),
    [JSON.stringify({ host, port: options.port ?? 0, path: options.path })],
    {
      execArgv: profilingExecArgv('dynalite'),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (msg: { type: string; port?: number; code?: string; message?: string }) => {
      if (msg.type === 'ready' && msg.port) resolve(msg.port);
      else reject(Object.assign(new Error(`dynalite: ${msg.message}`), { code: msg.code }));
    });
    child.once('exit', (code) => reject(new Error(`dynalite exited with code ${code} before it was ready`)));
  });
  return {
    endpoint: `http://${host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A DynamoDB client for a local endpoint with fake credentials. */
export function localDynamoClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}

/** CreateTable input from the template's `AWS::DynamoDB::Table` (or `GlobalTable`) properties. */
export function createTableInput(table: LocalTable): CreateTableCommandInput {
  const p = table.properties as Record<string, unknown>;
  const onDemand =
    p.BillingMode === 'PAY_PER_REQUEST' || p.BillingMode === undefined || p.Replicas !== undefined;
  const throughput = (x: unknown) =>
    onDemand
      ? undefined
      : ((x as { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined) ?? {
          ReadCapacityUnits: 5,
          WriteCapacityUnits: 5,
        });
  const billing =
    p.BillingMode === 'PROVISIONED'
      ? 'PROVISIONED'
      : onDemand
        ? 'PAY_PER_REQUEST'
        : (p.BillingMode as 'PROVISIONED');
  const gsis = (p.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined)?.map((g) => ({
    IndexName: g.IndexName as string,
    KeySchema: g.KeySchema as CreateTableCommandInput['KeySchema'],
    Projection: (g.Projection as Record<string, unknown>) ?? { ProjectionType: 'ALL' },
    ...(throughput(g.ProvisionedThroughput)
      ? { ProvisionedThroughput: throughput(g.ProvisionedThroughput) }
      : {}),
  }));
  const lsis = (p.LocalSecondaryIndexes as Record<string, unknown>[] | undefined)?.map((l) => ({
    IndexName: l.IndexName as string,
    KeySchema: l.KeySchema as CreateTableCommandInput['KeySchema'],
    Projection: (l.Projection as Record<string, unknown>) ?? { ProjectionType: 'ALL' },
  }));
  return {
    TableName: table.tableName,
    KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: billing,
    ...(throughput(p.ProvisionedThroughput)
      ? { ProvisionedThroughput: throughput(p.ProvisionedThroughput) }
      : {}),
    ...(gsis?.length
      ? { GlobalSecondaryIndexes: gsis as CreateTableCommandInput['GlobalSecondaryIndexes'] }
      : {}),
    ...(lsis?.length
      ? { LocalSecondaryIndexes: lsis as CreateTableCommandInput['LocalSecondaryIndexes'] }
      : {}),
  };
}

/** Creates every table (idempotent). Returns the names it created (not the ones that already existed). */
export async function createTables(client: DynamoDBClient, tables: readonly LocalTable[]): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    try {
      await client.send(new DescribeTableCommand({ TableName: table.tableName }));
      continue;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
    try {
      await client.send(new CreateTableCommand(createTableInput(table)));
      created.push(table.tableName);
    } catch (err) {
      if (!(err instanceof ResourceInUseException))
        throw new Error(`creating table ${table.tableName}: ${String(err)}`);
    }
    const ttl = (
      table.properties as { TimeToLiveSpecification?: { AttributeName?: string; Enabled?: boolean } }
    ).TimeToLiveSpecification;
    if (ttl?.Enabled && ttl.AttributeName) {
      try {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: table.tableName,
            TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
          }),
        );
      } catch {
        // dynalite does not implement TTL; items simply do not expire locally
      }
    }
  }
  return created;
}
