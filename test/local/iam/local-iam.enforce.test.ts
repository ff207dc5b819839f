/**
 * Local IAM against real components: dynalite behind the IAM proxy, the local AWS API server (Scheduler,
 * Lambda, CloudWatch Logs, MSK) and the embedded broker's SASL listener, called with the AWS SDK and
 * kafkajs signed with a function's own credentials. Calls the function's role in the test assembly
 * (fixture.ts) does not allow are refused with AWS's error and one report line; warn mode lets them
 * through with the same line; operator clients are not checked.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { Kafka, logLevel } from 'kafkajs';
import { type AwsApi, startAwsApi } from '#local/aws-api/index';
import type { DynamoDbProxy } from '#local/iam/dynamodb-proxy';
import { type Denial, LocalIam } from '#local/iam/index';
import { type Broker, startBroker } from '#local/kafka-broker/index';
import { type LocalDynamo, startDynalite } from '#local/runtime/dynamo';
import { MemoryLogStore } from '#local/runtime/logs';
import { FakeInvoker } from '#test/support/aws-api';
import {
  ACCOUNT,
  CLUSTER_ARN,
  NOPASS,
  REGION,
  STACK,
  WRITER,
  writeAssembly,
} from '#test/support/iam-assembly';

const SCHEDULER_ROLE = `arn:aws:iam::${ACCOUNT}:role/${STACK}-SchedulerRole`;
const session = (fn: string, role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${STACK}-${role}/${fn}`;

interface Stack {
  readonly iam: LocalIam;
  readonly lines: string[];
  readonly proxy: DynamoDbProxy;
  readonly api: AwsApi;
  readonly broker: Broker;
  stop(): Promise<void>;
}

let dynalite: LocalDynamo;
const assemblyDir = writeAssembly();

beforeAll(async () => {
  dynalite = await startDynalite({ inProcess: true });
  const admin = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const TableName of ['allowed-table', 'other-table']) {
    await admin.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  admin.destroy();
});

afterAll(async () => {
  await dynalite?.stop();
});

async function start(mode: 'enforce' | 'warn'): Promise<Stack> {
  const lines: string[] = [];
  const iam = new LocalIam({
    mode,
    assemblyDir,
    region: REGION,
    accountId: ACCOUNT,
    clusterArn: CLUSTER_ARN,
    report: (line) => lines.push(line),
  });
  const proxy = await iam.startDynamoDbProxy(dynalite.endpoint);
  const broker = await startBroker({
    port: 0,
    topics: [
      { name: 'allowed-topic', partitions: 1 },
      { name: 'other-topic', partitions: 1 },
    ],
    ...iam.brokerOptions(),
  });
  const api = await startAwsApi({
    port: 0,
    invoker: new FakeInvoker(),
    logs: new MemoryLogStore(),
    region: REGION,
    accountId: ACCOUNT,
    scheduleGroups: ['grp'],
    fireSchedules: false,
    authorizer: iam.awsApiAuthorizer(),
    kafka: { clusterArn: CLUSTER_ARN, plaintext: broker.address, saslIam: broker.saslAddress },
  });
  return {
    iam,
    lines,
    proxy,
    api,
    broker,
    async stop() {
      await api.stop();
      await broker.stop();
      await proxy.stop();
    },
  };
}

function clients(s: Stack, fn: string) {
  const credentials = s.iam.credentials.issue(fn);
  const common = { region: REGION, credentials, maxAttempts: 1 };
  return {
    dynamo: new DynamoDBClient({ ...common, endpoint: s.proxy.endpoint }),
    scheduler: new SchedulerClient({ ...common, endpoint: s.api.url }),
    lambda: new LambdaClient({ ...common, endpoint: s.api.url }),
    logs: new CloudWatchLogsClient({ ...common, endpoint: s.api.url }),
    kafka: new KafkaClient({ ...common, endpoint: s.api.url }),
  };
}

const item = (pk: string) => ({ pk: { S: pk } });

function createSchedule(name: string) {
  return new CreateScheduleCommand({
    Name: name,
    GroupName: 'grp',
    ScheduleExpression: 'at(2099-01-01T00:00:00)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fire`, RoleArn: SCHEDULER_ROLE },
  });
}

async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the call was expected to be refused but succeeded');
}

describe('local IAM, enforce', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await start('enforce');
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('lets a function make the DynamoDB calls its role allows', async () => {
    const { dynamo } = clients(s, WRITER);
    await dynamo.send(new PutItemCommand({ TableName: 'allowed-table', Item: item('a') }));
    const got = await dynamo.send(new GetItemCommand({ TableName: 'allowed-table', Key: item('a') }));
    expect(got.Item?.pk?.S).toBe('a');
  });

  it("refuses a PutItem on a table the role does not name with DynamoDB's AccessDeniedException", async () => {
    const { dynamo } = clients(s, WRITER);
    const err = await rejection(
      dynamo.send(new PutItemCommand({ TableName: 'other-table', Item: item('b') })),
    );
    const resource = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other-table`;
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toBe(
      `User: ${session(WRITER, 'WriterRole')} is not authorized to perform: dynamodb:PutItem on resource: ${resource} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(s.lines).toContain(`denied: ${WRITER} dynamodb:PutItem ${resource} (no policy allows it)`);
    // nothing was written
    const admin = new DynamoDBClient({
      endpoint: s.proxy.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    expect(
      (await admin.send(new GetItemCommand({ TableName: 'other-table', Key: item('b') }))).Item,
    ).toBeUndefined();
  });

  it('honours an explicit Deny over an Allow', async () => {
    const { dynamo } = clients(s, WRITER);
    const err = await rejection(
      dynamo.send(new DeleteItemCommand({ TableName: 'allowed-table', Key: item('a') })),
    );
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toMatch(
      /dynamodb:DeleteItem on resource: .*table\/allowed-table with an explicit deny/,
    );
  });

  it('checks actions without resource types against "*"', async () => {
    const { dynamo, kafka } = clients(s, WRITER);
    const err = await rejection(dynamo.send(new ListTablesCommand({})));
    expect(err.name).toBe('AccessDeniedException');
    const brokers = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: CLUSTER_ARN }));
    expect(brokers.BootstrapBrokerStringSaslIam).toBe(s.broker.saslAddress);
  });

  it('refuses unknown keys and wrong signatures, and does not check operator keys', async () => {
    const stranger = new DynamoDBClient({
      endpoint: s.proxy.endpoint,
      region: REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIASTRANGER0000', secretAccessKey: 'x' },
    });
    expect((await rejection(stranger.send(new ListTablesCommand({})))).name).toBe(
      'UnrecognizedClientException',
    );
    const forged = new DynamoDBClient({
      endpoint: s.proxy.endpoint,
      region: REGION,
      maxAttempts: 1,
      credentials: { accessKeyId: s.iam.credentials.issue(WRITER).accessKeyId, secretAccessKey: 'guessed' },
    });
    expect(
      (await rejection(forged.send(new GetItemCommand({ TableName: 'allowed-table', Key: item('a') })))).name,
    ).toBe('InvalidSignatureException');
    const operator = new DynamoDBClient({
      endpoint: s.proxy.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    expect((await operator.send(new ListTablesCommand({}))).TableNames).toEqual([
      'allowed-table',
      'other-table',
    ]);
  });

  it('answers unsigned and malformed requests with an error and keeps serving', async () => {
    const res = await fetch(s.proxy.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
    });
    const { dynamo } = clients(s, WRITER);
    expect(
      (await dynamo.send(new GetItemCommand({ TableName: 'allowed-table', Key: item('a') }))).Item,
    ).toBeDefined();
  });

  it('allows CreateSchedule with iam:PassRole to scheduler.amazonaws.com', async () => {
    const { scheduler } = clients(s, WRITER);
    const out = await scheduler.send(createSchedule('ok-1'));
    expect(out.ScheduleArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/grp/ok-1`);
  });

  it('refuses CreateSchedule when the role may pass the scheduler role only to another service', async () => {
    const { scheduler } = clients(s, NOPASS);
    const err = await rejection(scheduler.send(createSchedule('nopass-1')));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toBe(
      `User: ${session(NOPASS, 'NoPassRole')} is not authorized to perform: iam:PassRole on resource: ${SCHEDULER_ROLE} because no identity-based policy allows the iam:PassRole action`,
    );
    expect(s.lines).toContain(`denied: ${NOPASS} iam:PassRole ${SCHEDULER_ROLE} (no policy allows it)`);
    expect(s.api.schedules.getSchedule('grp', 'nopass-1')).toBeUndefined();
  });

  it('refuses a CreateSchedule outside the granted schedule group', async () => {
    const { scheduler } = clients(s, WRITER);
    const cmd = createSchedule('elsewhere');
    cmd.input.GroupName = 'default';
    const err = await rejection(scheduler.send(cmd));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain(
      `scheduler:CreateSchedule on resource: arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/elsewhere`,
    );
  });

  it('refuses Lambda Invoke and CloudWatch Logs reads the role does not grant', async () => {
    const { lambda, logs } = clients(s, WRITER);
    const invoke = await rejection(lambda.send(new InvokeCommand({ FunctionName: 'fire', Payload: '{}' })));
    expect(invoke.name).toBe('AccessDeniedException');
    expect(invoke.message).toContain(
      `lambda:InvokeFunction on resource: arn:aws:lambda:${REGION}:${ACCOUNT}:function:fire because no identity-based policy allows`,
    );
    const read = await rejection(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/x' })));
    expect(read.name).toBe('AccessDeniedException');
    expect(read.message).toContain(
      `logs:FilterLogEvents on resource: arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/x`,
    );
  });

  it('lets a function produce only to the topics it may write, with TOPIC_AUTHORIZATION_FAILED otherwise', async () => {
    const kafka = new Kafka({
      clientId: WRITER,
      brokers: [s.broker.saslAddress!],
      sasl: s.iam.esmSasl(WRITER)!,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: 'allowed-topic', messages: [{ value: 'ok' }] });
      const err = await rejection(producer.send({ topic: 'other-topic', messages: [{ value: 'no' }] }));
      expect(err).toMatchObject({
        name: 'KafkaJSProtocolError',
        type: 'TOPIC_AUTHORIZATION_FAILED',
        code: 29,
      });
      const topicArn = `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/campusg-local/00000000-0000-0000-0000-000000000000-1/other-topic`;
      expect(s.lines).toContain(
        `denied: ${WRITER} kafka-cluster:WriteData ${topicArn} (no policy allows it)`,
      );
    } finally {
      await producer.disconnect();
    }
  });

  // kafkajs reports the broker's GROUP_AUTHORIZATION_FAILED (30) to FindCoordinator only as "Failed to find
  // group coordinator"; the broker's own tests pin the error code, this one that the role decides.
  it('keeps a consumer out of a group its role has no kafka-cluster:DescribeGroup/AlterGroup for', async () => {
    const kafka = new Kafka({
      clientId: WRITER,
      brokers: [s.broker.saslAddress!],
      sasl: s.iam.esmSasl(WRITER)!,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const consumer = kafka.consumer({ groupId: 'some-group', retry: { retries: 0 } });
    const crashed = new Promise<Error>((resolve) =>
      consumer.on(consumer.events.CRASH, (e) => resolve(e.payload.error)),
    );
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: ['allowed-topic'] });
      await consumer.run({ eachMessage: async () => {} });
      const err = await crashed;
      expect(err.message).toMatch(/group coordinator/);
      const groupArn = `arn:aws:kafka:${REGION}:${ACCOUNT}:group/campusg-local/00000000-0000-0000-0000-000000000000-1/some-group`;
      expect(s.lines).toContain(
        `denied: ${WRITER} kafka-cluster:DescribeGroup ${groupArn} (no policy allows it)`,
      );
    } finally {
      await consumer.disconnect();
    }
  });

  it('refuses the SASL login of a function whose role lacks kafka-cluster:Connect', async () => {
    const kafka = new Kafka({
      clientId: NOPASS,
      brokers: [s.broker.saslAddress!],
      sasl: s.iam.esmSasl(NOPASS)!,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const producer = kafka.producer();
    const err = await rejection(producer.connect());
    expect(err.message).toMatch(/SASL|authenticat/i);
    expect(s.lines.some((l) => l.startsWith(`denied: ${NOPASS} kafka-cluster:Connect ${CLUSTER_ARN}`))).toBe(
      true,
    );
    await producer.disconnect().catch(() => {});
  });
});

describe('local IAM, warn', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await start('warn');
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('lets refused calls through and prints the same line', async () => {
    const { dynamo, scheduler } = clients(s, NOPASS);
    await dynamo.send(new PutItemCommand({ TableName: 'other-table', Item: item('warned') }));
    await scheduler.send(createSchedule('warned-1'));
    const kafka = new Kafka({
      clientId: WRITER,
      brokers: [s.broker.saslAddress!],
      sasl: s.iam.esmSasl(WRITER)!,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: 'other-topic', messages: [{ value: 'warned' }] });
    await producer.disconnect();
    const denied = (d: Denial) => `${d.functionName} ${d.action}`;
    expect(s.iam.denials.map(denied)).toEqual(
      expect.arrayContaining([
        `${NOPASS} dynamodb:PutItem`,
        `${NOPASS} iam:PassRole`,
        `${WRITER} kafka-cluster:WriteData`,
      ]),
    );
    expect(s.iam.denials.every((d) => !d.enforced)).toBe(true);
    expect(s.lines).toContain(
      `would deny (--iam warn): ${NOPASS} dynamodb:PutItem arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/other-table (no policy allows it)`,
    );
  });
});
