import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { kafkaConfigFromEnv, kafkaJsOptions, mskIamTokenProvider, resolveBrokers } from '#shared/kafka';

const credentials = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
});

describe('kafkaConfigFromEnv', () => {
  it('uses plaintext brokers from KAFKA_BROKERS', () => {
    expect(
      kafkaConfigFromEnv({ KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093', CAMPUSG_SERVICE: 'payment' }),
    ).toEqual({
      brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      clusterArn: undefined,
      auth: 'none',
      tls: false,
      region: undefined,
      clientId: 'payment',
    });
  });

  it('defaults to IAM auth over TLS with an MSK cluster ARN', () => {
    const config = kafkaConfigFromEnv({
      MSK_CLUSTER_ARN: 'arn:aws:kafka:eu-west-1:1:cluster/c/u',
      AWS_REGION: 'eu-west-1',
    });
    expect(config).toMatchObject({ auth: 'iam', tls: true, region: 'eu-west-1', brokers: undefined });
    const options = kafkaJsOptions(config);
    expect(options.ssl).toBe(true);
    expect(options.sasl?.mechanism).toBe('oauthbearer');
  });

  it('names the problem when nothing is configured or the auth mode is unknown', () => {
    expect(() => kafkaConfigFromEnv({})).toThrow(/set KAFKA_BROKERS .* or MSK_CLUSTER_ARN/);
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'x:1', KAFKA_AUTH: 'scram' })).toThrow(
      /KAFKA_AUTH must be "iam" or "none", not "scram"/,
    );
  });

  it('refuses IAM auth without a region', () => {
    const config = kafkaConfigFromEnv({ KAFKA_BROKERS: 'x:9098', KAFKA_AUTH: 'iam' });
    expect(() => kafkaJsOptions(config)).toThrow(/needs a region/);
  });
});

describe('MSK IAM token provider', () => {
  it('signs a kafka-cluster:Connect token with static credentials, offline', async () => {
    const provider = mskIamTokenProvider('us-east-1', credentials);
    const { value } = await provider();
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.hostname).toBe('kafka.us-east-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/us-east-1\/kafka-cluster\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('resolveBrokers', () => {
  let server: Server;
  let calls = 0;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      calls++;
      // GetBootstrapBrokers: GET /v1/clusters/{arn}/bootstrap-brokers
      expect(req.method).toBe('GET');
      expect(decodeURIComponent(req.url ?? '')).toContain(
        '/v1/clusters/arn:aws:kafka:us-east-1:1:cluster/c/u/bootstrap-brokers',
      );
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          bootstrapBrokerStringSaslIam: 'b-1.c:9098,b-2.c:9098',
          bootstrapBrokerStringTls: 'b-1.c:9094',
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('asks GetBootstrapBrokers once for the SASL/IAM list and caches it', async () => {
    const client = new KafkaClient({ region: 'us-east-1', endpoint, credentials });
    const config = kafkaConfigFromEnv({
      MSK_CLUSTER_ARN: 'arn:aws:kafka:us-east-1:1:cluster/c/u',
      AWS_REGION: 'us-east-1',
    });
    expect(await resolveBrokers(config, client)).toEqual(['b-1.c:9098', 'b-2.c:9098']);
    expect(await resolveBrokers(config, client)).toEqual(['b-1.c:9098', 'b-2.c:9098']);
    expect(calls).toBe(1);
  });

  it('prefers explicit brokers without asking AWS', async () => {
    const before = calls;
    expect(await resolveBrokers(kafkaConfigFromEnv({ KAFKA_BROKERS: 'h:1' }))).toEqual(['h:1']);
    expect(calls).toBe(before);
  });
});
