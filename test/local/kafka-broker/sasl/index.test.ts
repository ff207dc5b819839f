/**
 * SASL on the embedded broker, driven by real clients: kafkajs with PLAIN, SCRAM-SHA-256/512 and
 * OAUTHBEARER carrying tokens from the real `aws-msk-iam-sasl-signer-js`; kcat (librdkafka) with PLAIN and
 * SCRAM; raw frames for what clients never send (requests before authentication). Also the authorizer
 * hook: a denied principal sees TOPIC_AUTHORIZATION_FAILED / GROUP_AUTHORIZATION_FAILED in its client.
 */
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import {
  type AclOperation,
  type AclResource,
  ErrorCode,
  MskIamTokenError,
  verifyMskIamToken,
} from '#local/kafka-broker/index';
import { brokerPool, kafkaFor, run } from '#test/support/kafka-broker/broker-pool';
import { RawClient, request, str } from '#test/support/kafka-broker/raw-client';
import { withTool } from '#test/support/outside-tools';

const pool = brokerPool();
const kcat = withTool('kcat');

const KEY_ID = 'AKIDLOCALEXAMPLE';
const SECRET = 'local-secret-access-key';

async function mskToken(region = 'eu-west-1', secretAccessKey = SECRET): Promise<string> {
  const { token } = await generateAuthTokenFromCredentialsProvider({
    region,
    awsCredentialsProvider: async () => ({ accessKeyId: KEY_ID, secretAccessKey }),
  });
  return token;
}

function saslBroker(extra: Parameters<typeof pool.start>[0] = {}) {
  return pool.start({
    topics: [{ name: 'secured', partitions: 1 }],
    sasl: {
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'],
      plain: (user, password) =>
        user === 'alice' && password === 'alice-secret' ? `User:${user}` : undefined,
      scram: { alice: 'alice-secret' },
      oauthBearer: async (token) =>
        verifyMskIamToken(token, { secretFor: (id) => (id === KEY_ID ? SECRET : undefined) }),
    },
    ...extra,
  });
}

async function roundTrip(config: Partial<KafkaConfig>, address: string, topic = 'secured'): Promise<string> {
  const kafka = kafkaFor({ address } as never, { ...config, brokers: [address] });
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: 'k', value: 'over sasl' }] });
  } finally {
    await producer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((o) => o.high).join(',');
  } finally {
    await admin.disconnect();
  }
}

describe('SASL authentication with kafkajs', () => {
  it.each<[string, SASLOptions]>([
    ['PLAIN', { mechanism: 'plain', username: 'alice', password: 'alice-secret' }],
    ['SCRAM-SHA-256', { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }],
    ['SCRAM-SHA-512', { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' }],
  ])('produces and reads offsets after authenticating with %s', async (_name, sasl) => {
    const broker = await saslBroker();
    expect(await roundTrip({ sasl }, broker.address)).toBe('1');
  });

  it('accepts an MSK IAM token from aws-msk-iam-sasl-signer-js over OAUTHBEARER', async () => {
    const principals: string[] = [];
    const broker = await saslBroker({
      authorizer: {
        authorize(principal) {
          principals.push(principal);
          return true;
        },
      },
    });
    const sasl: SASLOptions = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: await mskToken() }),
    };
    expect(await roundTrip({ sasl }, broker.address)).toBe('1');
    expect(new Set(principals)).toEqual(new Set([KEY_ID]));
  });

  it.each<[string, SASLOptions]>([
    ['PLAIN', { mechanism: 'plain', username: 'alice', password: 'wrong' }],
    ['SCRAM-SHA-256', { mechanism: 'scram-sha-256', username: 'alice', password: 'wrong' }],
    ['SCRAM-SHA-512', { mechanism: 'scram-sha-512', username: 'mallory', password: 'alice-secret' }],
  ])('refuses a wrong %s password', async (_name, sasl) => {
    const broker = await saslBroker();
    const kafka = kafkaFor(broker, { sasl, retry: { retries: 0 } });
    const admin = kafka.admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|[Aa]uthentication/);
    await admin.disconnect();
  });

  it('refuses an MSK IAM token signed with another secret', async () => {
    const broker = await saslBroker();
    const sasl: SASLOptions = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: await mskToken('eu-west-1', 'not-the-secret') }),
    };
    const admin = kafkaFor(broker, { sasl, retry: { retries: 0 } }).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|[Aa]uthentication/);
    await admin.disconnect();
  });

  it('serves SASL on a second listener while the main one stays plaintext', async () => {
    const broker = await pool.start({
      topics: [{ name: 'secured', partitions: 1 }],
      sasl: { mechanisms: ['SCRAM-SHA-256'], scram: { bob: 'bob-secret' }, listener: { port: 0 } },
    });
    expect(broker.saslPort).toBeGreaterThan(0);
    expect(broker.saslPort).not.toBe(broker.port);
    const sasl: SASLOptions = { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' };
    expect(await roundTrip({ sasl }, broker.saslAddress!)).toBe('1');
    expect(await roundTrip({}, broker.address)).toBe('2');
  });
});

describe('SASL framing', () => {
  it('closes a connection that sends Metadata before authenticating', async () => {
    const broker = await saslBroker();
    const client = await RawClient.open(broker.port);
    client.send(request(18, 0, 1));
    const versions = await client.next();
    expect(versions.readInt16BE(4)).toBe(ErrorCode.NONE);
    client.send(request(3, 1, 2, Buffer.from([0xff, 0xff, 0xff, 0xff])));
    await client.closed;
  });

  it('answers an unknown mechanism with 33 and the enabled list', async () => {
    const broker = await saslBroker();
    const client = await RawClient.open(broker.port);
    client.send(request(17, 1, 7, str('GSSAPI')));
    const res = await client.next();
    expect(res.readInt32BE(0)).toBe(7);
    expect(res.readInt16BE(4)).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
    expect(res.readInt32BE(6)).toBe(4);
    await client.closed;
  });

  it('authenticates PLAIN with bare token frames after SaslHandshake v0', async () => {
    const broker = await saslBroker();
    const client = await RawClient.open(broker.port);
    client.send(request(17, 0, 1, str('PLAIN')));
    const handshake = await client.next();
    expect(handshake.readInt16BE(4)).toBe(ErrorCode.NONE);
    const token = Buffer.from('\u0000alice\u0000alice-secret');
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length, 0);
    client.send(Buffer.concat([size, token]));
    expect((await client.next()).length).toBe(0);
    client.send(request(18, 0, 2));
    expect((await client.next()).readInt32BE(0)).toBe(2);
    client.close();
  });

  it('answers SaslAuthenticate v2 (flexible) with a failed PLAIN as 58 and a message, then closes', async () => {
    const broker = await saslBroker();
    const client = await RawClient.open(broker.port);
    client.send(request(17, 1, 1, str('PLAIN')));
    await client.next();
    const token = Buffer.from('\u0000alice\u0000nope');
    // header v2: ... client id, then an empty tag section; body: compact bytes, tags
    const body = Buffer.concat([Buffer.from([0]), Buffer.from([token.length + 1]), token, Buffer.from([0])]);
    client.send(request(36, 2, 2, body));
    const res = await client.next();
    expect(res.readInt32BE(0)).toBe(2);
    expect(res[4]).toBe(0); // response header v1 tag section
    expect(res.readInt16BE(5)).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    const messageLength = res[7]! - 1;
    expect(res.toString('utf8', 8, 8 + messageLength)).toMatch(/invalid user name or password for alice/);
    await client.closed;
  });

  it('refuses SaslHandshake on a plaintext listener with 34', async () => {
    const broker = await pool.start();
    const client = await RawClient.open(broker.port);
    client.send(request(17, 1, 1, str('PLAIN')));
    const res = await client.next();
    expect(res.readInt16BE(4)).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    client.close();
  });
});

describe('verifyMskIamToken', () => {
  const secretFor = (id: string) => (id === KEY_ID ? SECRET : undefined);

  it('returns the access key id of a token from the real signer', async () => {
    expect(verifyMskIamToken(await mskToken('us-east-1'), { secretFor })).toBe(KEY_ID);
  });

  it('returns the principal secretFor names', async () => {
    const principal = 'arn:aws:sts::123456789012:assumed-role/order/session';
    const token = await mskToken();
    expect(verifyMskIamToken(token, { secretFor: () => ({ secretAccessKey: SECRET, principal }) })).toBe(
      principal,
    );
  });

  it('refuses an expired token, naming the expiry', async () => {
    const token = await mskToken();
    expect(() => verifyMskIamToken(token, { secretFor, now: Date.now() + 16 * 60_000 })).toThrow(
      /token expired at/,
    );
  });

  it('refuses an unknown key, a wrong secret and a tampered URL', async () => {
    const token = await mskToken();
    expect(() => verifyMskIamToken(token, { secretFor: () => undefined })).toThrow(
      new MskIamTokenError(`access key ${KEY_ID} is not known`),
    );
    expect(() => verifyMskIamToken(token, { secretFor: () => 'other' })).toThrow(/signature does not match/);
    const url = Buffer.from(token, 'base64url').toString('utf8');
    const tampered = Buffer.from(url.replace('X-Amz-Expires=900', 'X-Amz-Expires=901')).toString('base64url');
    expect(() => verifyMskIamToken(tampered, { secretFor })).toThrow(/signature does not match/);
    const otherAction = Buffer.from(url.replace('Connect', 'DescribeTopic')).toString('base64url');
    expect(() => verifyMskIamToken(otherAction, { secretFor })).toThrow(
      /action is kafka-cluster:DescribeTopic/,
    );
    expect(() => verifyMskIamToken('not a token!', { secretFor })).toThrow(/base64url/);
  });
});

describe('authorizer hook', () => {
  const denyAll = (denied: (op: AclOperation, r: AclResource) => boolean) => ({
    authorize: (_principal: string, op: AclOperation, resource: AclResource) => !denied(op, resource),
  });

  it('answers a produce to a denied topic with TOPIC_AUTHORIZATION_FAILED', async () => {
    const broker = await pool.start({
      topics: [
        { name: 'open', partitions: 1 },
        { name: 'closed', partitions: 1 },
      ],
      authorizer: denyAll((op, r) => op === 'Write' && r.name === 'closed'),
    });
    const producer = kafkaFor(broker, { retry: { retries: 0 } }).producer();
    await producer.connect();
    await producer.send({ topic: 'open', messages: [{ value: 'fine' }] });
    await expect(producer.send({ topic: 'closed', messages: [{ value: 'no' }] })).rejects.toMatchObject({
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    await producer.disconnect();
  });

  it('answers a consumer of a denied group with GROUP_AUTHORIZATION_FAILED', async () => {
    const broker = await pool.start({
      topics: [{ name: 'open', partitions: 1 }],
      // Describe stays allowed (FindCoordinator; kafkajs hides its errors behind "coordinator not found").
      authorizer: denyAll((op, r) => op === 'Read' && r.type === 'group' && r.name === 'forbidden'),
    });
    const consumer = kafkaFor(broker, { retry: { retries: 0 } }).consumer({
      groupId: 'forbidden',
      retry: { retries: 0 },
    });
    const crashed = new Promise<{ type?: string }>((resolve) =>
      consumer.on(consumer.events.CRASH, ({ payload }) => resolve(payload.error as { type?: string })),
    );
    await consumer.connect();
    await consumer.subscribe({ topic: 'open' });
    await consumer.run({ eachMessage: async () => {} });
    expect(await crashed).toMatchObject({ type: 'GROUP_AUTHORIZATION_FAILED' });
    await consumer.disconnect();
  });

  it('hides undescribable topics from Metadata and refuses to create or delete', async () => {
    const broker = await pool.start({
      topics: [
        { name: 'visible', partitions: 1 },
        { name: 'hidden', partitions: 1 },
      ],
      authorizer: denyAll(
        (op, r) => (op === 'Describe' && r.name === 'hidden') || op === 'Create' || op === 'Delete',
      ),
    });
    const admin = kafkaFor(broker, { retry: { retries: 0 } }).admin();
    await admin.connect();
    expect(await admin.listTopics()).toEqual(['visible']);
    await expect(admin.createTopics({ topics: [{ topic: 'new-one' }] })).rejects.toMatchObject({
      errors: [expect.objectContaining({ type: 'TOPIC_AUTHORIZATION_FAILED' })],
    });
    await expect(admin.deleteTopics({ topics: ['visible'] })).rejects.toThrow(/[Aa]uthoriz/);
    await admin.disconnect();
  });
});

kcat.describe('SASL with kcat (librdkafka)', () => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('produces and consumes with %s', async (mechanism) => {
    const broker = await saslBroker();
    const auth = [
      '-X',
      'security.protocol=SASL_PLAINTEXT',
      '-X',
      `sasl.mechanisms=${mechanism}`,
      '-X',
      'sasl.username=alice',
      '-X',
      'sasl.password=alice-secret',
    ];
    const produced = await run(kcat.command, ['-b', broker.address, ...auth, '-P', '-t', 'secured'], {
      input: 'one\ntwo\n',
    });
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const consumed = await run(kcat.command, [
      '-b',
      broker.address,
      ...auth,
      '-C',
      '-t',
      'secured',
      '-o',
      'beginning',
      '-e',
    ]);
    expect(consumed.stdout).toBe('one\ntwo\n');
  });

  it('fails with a wrong password', async () => {
    const broker = await saslBroker();
    const res = await run(kcat.command, [
      '-b',
      broker.address,
      '-X',
      'security.protocol=SASL_PLAINTEXT',
      '-X',
      'sasl.mechanisms=SCRAM-SHA-256',
      '-X',
      'sasl.username=alice',
      '-X',
      'sasl.password=wrong',
      '-L',
      '-m',
      '5',
    ]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/[Aa]uthentication/);
  });
});

const kafkaPython = withTool('kafka-python');

kafkaPython.describe('SASL with kafka-python', () => {
  const SCRIPT = `
import sys
from kafka import KafkaProducer
broker, mechanism, password = sys.argv[1:4]
producer = KafkaProducer(bootstrap_servers=broker, security_protocol='SASL_PLAINTEXT', sasl_mechanism=mechanism,
                         sasl_plain_username='alice', sasl_plain_password=password)
meta = producer.send('secured', b'from python').get(timeout=10)
producer.close()
print(meta.offset)
`;

  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])(
    'produces after authenticating with %s',
    async (mechanism) => {
      const broker = await saslBroker();
      const res = await run(kafkaPython.command, ['-c', SCRIPT, broker.address, mechanism, 'alice-secret'], {
        timeoutMs: 30_000,
      });
      expect(res.stderr).toBe('');
      expect(res.stdout.trim()).toBe('0');
    },
  );

  it('fails with a wrong password', async () => {
    const broker = await saslBroker();
    const res = await run(kafkaPython.command, ['-c', SCRIPT, broker.address, 'PLAIN', 'wrong'], {
      timeoutMs: 30_000,
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/Authentication|NoBrokersAvailable/);
  });
});
