import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { SASLOptions } from 'kafkajs';
import { UsageError } from '#local/cli/output';
import { findOutput, parseBrokers, resolveTarget, STACK_OUTPUTS } from '#local/cli/target';
import { RUNTIME_LOCK } from '#local/core/state-file';
import { acquireGuard } from '#local/instance-guard/index';
import { type AwsStandIn, startAwsStandIn } from '#test/support/aws-stand-in';

describe('local target', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'campusg-cli-target-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeRuntime(endpoints: Record<string, string>) {
    const stateDir = join(dir, 'state');
    require('node:fs').mkdirSync(stateDir, { recursive: true });
    writeFileSync(
      join(stateDir, 'runtime.json'),
      JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), endpoints, dataDir: stateDir }),
    );
    return stateDir;
  }

  it('uses the defaults when nothing is given', async () => {
    const target = resolveTarget({}, {}, dir);
    expect(target.kind).toBe('local');
    expect(target.stateDir).toBe(join(dir, '.campusg'));
    const kafka = await target.kafkaSettings();
    expect(kafka.config).toMatchObject({ brokers: ['127.0.0.1:9092'], auth: 'none', tls: false });
    expect(kafka.source).toBe('default');
    expect(kafka.options.ssl).toBe(false);
    expect(kafka.options.sasl).toBeUndefined();
    expect(await target.apiUrl()).toEqual({ value: 'http://127.0.0.1:3000', source: 'default' });
    expect(target.awsEndpoint()).toEqual({ value: 'http://127.0.0.1:4577', source: 'default' });
  });

  it('reads endpoints from runtime.json in the state directory', async () => {
    const stateDir = writeRuntime({
      kafka: '127.0.0.1:29092',
      http: 'http://127.0.0.1:23000/',
      aws: 'http://127.0.0.1:24577',
      dynamodb: 'http://127.0.0.1:28000',
    });
    const target = resolveTarget({ stateDir }, {}, dir);
    expect((await target.kafkaSettings()).config.brokers).toEqual(['127.0.0.1:29092']);
    expect(await target.apiUrl()).toEqual({
      value: 'http://127.0.0.1:23000',
      source: join(stateDir, 'runtime.json'),
    });
    expect(target.awsEndpoint()?.value).toBe('http://127.0.0.1:24577');
  });

  it('counts the runtime as running only while a process holds the state directory lock', async () => {
    const stateDir = writeRuntime({ kafka: '127.0.0.1:29092' });
    // runtime.json names this live process, but no runtime lock is held: not running
    expect(await resolveTarget({ stateDir }, {}, dir).runtimeAlive()).toBe(false);
    const lock = await acquireGuard(stateDir, {
      name: RUNTIME_LOCK,
      what: 'local runtime',
      busyMessage: () => 'busy',
    });
    expect(await resolveTarget({ stateDir }, {}, dir).runtimeAlive()).toBe(true);
    await lock.release();
    expect(await resolveTarget({ stateDir }, {}, dir).runtimeAlive()).toBe(false);
  });

  it('finds the state directory through CAMPUSG_STATE_DIR', async () => {
    const stateDir = writeRuntime({ kafka: '127.0.0.1:29093' });
    const target = resolveTarget({}, { CAMPUSG_STATE_DIR: stateDir }, dir);
    expect((await target.kafkaSettings()).config.brokers).toEqual(['127.0.0.1:29093']);
  });

  it('lets env win over runtime.json and flags win over env', async () => {
    const stateDir = writeRuntime({
      kafka: '127.0.0.1:1',
      http: 'http://127.0.0.1:2',
      aws: 'http://127.0.0.1:3',
    });
    const env = {
      CAMPUSG_BROKERS: '127.0.0.1:11',
      CAMPUSG_API_URL: 'http://127.0.0.1:12',
      CAMPUSG_AWS_ENDPOINT: 'http://127.0.0.1:13',
    };
    const fromEnv = resolveTarget({ stateDir }, env, dir);
    expect((await fromEnv.kafkaSettings()).config.brokers).toEqual(['127.0.0.1:11']);
    expect((await fromEnv.kafkaSettings()).source).toBe('CAMPUSG_BROKERS');
    expect((await fromEnv.apiUrl()).value).toBe('http://127.0.0.1:12');
    expect(fromEnv.awsEndpoint()?.value).toBe('http://127.0.0.1:13');

    const fromFlags = resolveTarget(
      { stateDir, brokers: 'a:21,b:22', apiUrl: 'http://127.0.0.1:22', awsEndpoint: 'http://127.0.0.1:23' },
      env,
      dir,
    );
    expect((await fromFlags.kafkaSettings()).config.brokers).toEqual(['a:21', 'b:22']);
    expect((await fromFlags.kafkaSettings()).source).toBe('--brokers');
    expect((await fromFlags.apiUrl()).value).toBe('http://127.0.0.1:22');
    expect(fromFlags.awsEndpoint()?.value).toBe('http://127.0.0.1:23');
  });

  it('ignores a runtime.json that is not a runtime description and says why', async () => {
    const stateDir = join(dir, 'bad');
    require('node:fs').mkdirSync(stateDir);
    writeFileSync(join(stateDir, 'runtime.json'), '{"hello":1}');
    const target = resolveTarget({ stateDir }, {}, dir);
    expect(target.runtime()).toBeUndefined();
    expect(target.runtimeProblem()).toMatch(/is not a runtime description/);
    expect((await target.kafkaSettings()).source).toBe('default');
  });

  it('reports a runtime whose process has exited as not alive', async () => {
    const stateDir = join(dir, 'dead');
    require('node:fs').mkdirSync(stateDir);
    writeFileSync(join(stateDir, 'runtime.json'), JSON.stringify({ pid: 2 ** 22 + 12345, endpoints: {} }));
    expect(await resolveTarget({ stateDir }, {}, dir).runtimeAlive()).toBe(false);
  });

  it('mints a local token for the role asked, signed with the state directory key', async () => {
    const target = resolveTarget({ stateDir: join(dir, 'keys') }, {}, dir);
    const token = await target.bearerToken('runner', 'r-9');
    const claims = decodeJwt(token);
    expect(claims.sub).toBe('r-9');
    expect(claims['cognito:groups']).toEqual(['runners']);
    expect(
      await resolveTarget({ stateDir: join(dir, 'keys'), token: 'given' }, {}, dir).bearerToken(
        'runner',
        'x',
      ),
    ).toBe('given');
  });

  it('rejects an unknown target and bad broker lists with clear messages', () => {
    expect(() => resolveTarget({ target: 'gcp' }, {}, dir)).toThrow(
      /unknown target "gcp": use one of local, aws, localstack/,
    );
    expect(() => parseBrokers('localhost')).toThrow(/bad Kafka broker "localhost": expected host:port/);
    expect(() => parseBrokers(' , ')).toThrow(UsageError);
    expect(parseBrokers('PLAINTEXT://h:1, k:2')).toEqual(['h:1', 'k:2']);
  });
});

describe('stack outputs', () => {
  it('finds outputs by exact key, else by a CDK-hashed key', () => {
    expect(findOutput({ ApiUrl: 'a' }, 'ApiUrl')).toBe('a');
    expect(findOutput({ OrderApiApiUrl1A2B3C4D: 'b' }, 'ApiUrl')).toBe('b');
    expect(findOutput({ Other: 'c' }, 'ApiUrl')).toBeUndefined();
  });
});

describe('aws and localstack targets (against a local stand-in for the AWS APIs)', () => {
  const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/campusg/abc-1';
  let standIn: AwsStandIn;
  const saved: Record<string, string | undefined> = {};
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIDSTANDIN0000EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'standin-secret',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_KAFKA: '',
    AWS_ENDPOINT_URL_CLOUDFORMATION: '',
    AWS_ENDPOINT_URL: '',
  };

  beforeAll(async () => {
    standIn = await startAwsStandIn({
      stacks: {
        'CampusG-dev-Services': {
          ApiUrl: 'https://api.example.test/',
          OrderConsumerLogGroupName: '/aws/lambda/oc',
        },
        'CampusG-dev-Messaging': { ClusterArn: CLUSTER, ClusterMode: 'provisioned' },
        'CampusG-ls-Services': { OrderApiApiUrl0A1B2C3D: 'https://ls.example.test' },
      },
      clusters: {
        [CLUSTER]: {
          bootstrapBrokerStringSaslIam: 'b-1.campusg.example:9098,b-2.campusg.example:9098',
          bootstrapBrokerString: 'b-1.campusg.example:9092',
        },
      },
    });
    env.AWS_ENDPOINT_URL_KAFKA = standIn.url;
    env.AWS_ENDPOINT_URL_CLOUDFORMATION = standIn.url;
    env.AWS_ENDPOINT_URL = standIn.url;
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await standIn.stop();
  });

  it('reads the brokers from GetBootstrapBrokers for the stack cluster and uses IAM auth over TLS', async () => {
    const target = resolveTarget({ target: 'aws' }, process.env, process.cwd());
    const settings = await target.kafkaSettings();
    expect(settings.config).toMatchObject({
      clusterArn: CLUSTER,
      auth: 'iam',
      tls: true,
      region: 'eu-west-1',
    });
    expect(settings.options.ssl).toBe(true);
    const sasl = settings.options.sasl as SASLOptions & {
      oauthBearerProvider: () => Promise<{ value: string }>;
    };
    expect(sasl.mechanism).toBe('oauthbearer');

    const brokers = await (settings.options.brokers as () => Promise<string[]>)();
    expect(brokers).toEqual(['b-1.campusg.example:9098', 'b-2.campusg.example:9098']);
    const call = standIn.requests.find((r) => r.path.includes('/bootstrap-brokers'));
    expect(call?.method).toBe('GET');
    expect(decodeURIComponent(call!.path)).toContain(CLUSTER);
    expect(call?.authorization).toContain('Credential=AKIDSTANDIN0000EXAMPLE/');
    const describe = standIn.requests.find((r) => r.body.includes('Action=DescribeStacks'));
    expect(describe?.body).toContain('StackName=CampusG-dev-Messaging');
  });

  it('signs the MSK IAM token with the given credentials for the kafka-cluster Connect action', async () => {
    const target = resolveTarget({ target: 'aws' }, process.env, process.cwd());
    const sasl = (await target.kafkaSettings()).options.sasl as {
      oauthBearerProvider: () => Promise<{ value: string }>;
    };
    const { value } = await sasl.oauthBearerProvider();
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.hostname).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDSTANDIN0000EXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\//,
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps IAM and TLS when brokers are given explicitly on aws', async () => {
    const target = resolveTarget({ target: 'aws', brokers: 'b-9.example:9098' }, process.env, process.cwd());
    const settings = await target.kafkaSettings();
    expect(settings.config).toMatchObject({ brokers: ['b-9.example:9098'], auth: 'iam', tls: true });
    expect((settings.options.sasl as SASLOptions).mechanism).toBe('oauthbearer');
  });

  it('takes the API URL from the stack outputs and needs a token for it', async () => {
    const target = resolveTarget({ target: 'aws' }, process.env, process.cwd());
    expect(await target.apiUrl()).toEqual({
      value: 'https://api.example.test',
      source: `CampusG-dev-Services output ${STACK_OUTPUTS.apiUrl.output}`,
    });
    await expect(target.bearerToken('customer', 'c-1')).rejects.toThrow(
      /needs a token for the HTTP API: pass --token/,
    );
    const withToken = resolveTarget(
      { target: 'aws' },
      { ...process.env, CAMPUSG_TOKEN: 'cognito-jwt' },
      process.cwd(),
    );
    expect(await withToken.bearerToken('customer', 'c-1')).toBe('cognito-jwt');
  });

  it("reads each function's log group from the Services stack outputs", async () => {
    const target = resolveTarget({ target: 'aws' }, process.env, process.cwd());
    expect(await target.logGroupOutputs(['OrderApiFunction', 'OrderConsumer'])).toEqual(['/aws/lambda/oc']);
  });

  it('names the stack when it does not exist', async () => {
    const target = resolveTarget({ target: 'aws', stack: 'Nope' }, process.env, process.cwd());
    await expect(target.apiUrl()).rejects.toThrow(/stack Nope-Services does not exist in eu-west-1 \(aws\)/);
  });

  it('on localstack reads outputs at AWS_ENDPOINT_URL and uses plaintext Kafka from the flag or default', async () => {
    const target = resolveTarget({ target: 'localstack', stack: 'CampusG-ls' }, process.env, process.cwd());
    expect(target.awsEndpoint()).toEqual({ value: standIn.url, source: 'AWS_ENDPOINT_URL' });
    expect((await target.apiUrl()).value).toBe('https://ls.example.test');
    const settings = await target.kafkaSettings();
    expect(settings.config).toMatchObject({ brokers: ['localhost:9092'], auth: 'none', tls: false });
    expect(settings.options.sasl).toBeUndefined();
    const flagged = resolveTarget(
      { target: 'localstack', brokers: 'kafka:29092' },
      process.env,
      process.cwd(),
    );
    expect((await flagged.kafkaSettings()).config.brokers).toEqual(['kafka:29092']);
  });

  it('defaults localstack to http://localhost:4566', () => {
    const target = resolveTarget({ target: 'localstack' }, {}, process.cwd());
    expect(target.awsEndpoint()).toEqual({ value: 'http://localhost:4566', source: 'default' });
  });
});
