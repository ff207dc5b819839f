/**
 * `campusg preflight`: the offline checks for real (synth with cdk-nag and bundling, bundle imports, the
 * four sagas on the local runtime with IAM enforced), a context the topic lock refuses, and the account
 * checks of `--target aws` against AWS responses served by a local HTTP server (test/fixtures/preflight).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { concurrencyNeeded } from '#infra/preflight/aws-checks';
import { type PreflightOptions, preflight } from '#local/cli/commands/preflight';
import { BufferIo, EXIT } from '#local/cli/output';

const FIXTURES = path.join(__dirname, '../../../fixtures/preflight');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

interface Seen {
  readonly service: string;
  readonly authorization?: string;
}

/** Serves one recorded response per AWS call; `answers` picks the fixture file (and status) per service. */
async function awsStandIn(answers: Record<'ec2' | 'cloudformation' | 'kafka' | 'lambda', [number, string]>) {
  const seen: Seen[] = [];
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => resolve(text));
    });
  const server: Server = createServer(async (req, res) => {
    const text = await body(req);
    const service = text.includes('Action=DescribeAvailabilityZones')
      ? 'ec2'
      : text.includes('Action=DescribeStacks')
        ? 'cloudformation'
        : req.url?.startsWith('/v1/kafka-versions')
          ? 'kafka'
          : req.url?.startsWith('/2016-08-19/account-settings')
            ? 'lambda'
            : undefined;
    seen.push({
      service: service ?? `unknown ${req.method} ${req.url}`,
      authorization: req.headers.authorization,
    });
    if (!service) {
      res.writeHead(404).end();
      return;
    }
    const [status, file] = answers[service];
    res
      .writeHead(status, { 'content-type': file.endsWith('.json') ? 'application/json' : 'text/xml' })
      .end(fixture(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    seen,
    env: {
      AWS_ENDPOINT_URL_EC2: url,
      AWS_ENDPOINT_URL_CLOUDFORMATION: url,
      AWS_ENDPOINT_URL_KAFKA: url,
      AWS_ENDPOINT_URL_LAMBDA: url,
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const credentials = async () => ({ accessKeyId: 'AKIDPREFLIGHTTEST', secretAccessKey: 'secret' });
const rows = (io: BufferIo) =>
  Object.fromEntries(
    io.stdout
      .split('\n')
      .map((l) => /^(.+?)\s{2,}(PASS|FAIL)\s{2,}(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!.trim(), { result: m[2]!, detail: m[3]! }]),
  );
const accountOnly = (over: Partial<PreflightOptions>): PreflightOptions => ({
  target: 'aws',
  context: [],
  offline: false,
  sagaTimeout: 60,
  ...over,
});

describe('campusg preflight --target aws (recorded responses)', () => {
  it('passes a bootstrapped account in us-east-1 and prints the monthly cost', async () => {
    const aws = await awsStandIn({
      ec2: [200, 'ec2-describe-availability-zones-us-east-1.xml'],
      cloudformation: [200, 'cloudformation-describe-stacks-cdktoolkit.xml'],
      kafka: [200, 'kafka-list-kafka-versions.json'],
      lambda: [200, 'lambda-get-account-settings-established.json'],
    });
    try {
      const io = new BufferIo();
      const code = await preflight(accountOnly({ region: 'us-east-1' }), io, { env: aws.env, credentials });
      const r = rows(io);
      expect(io.stdout).toMatch(/preflight passed/);
      expect(code).toBe(EXIT.OK);
      expect(r['availability zones (AZ IDs) for MSK']).toEqual({
        result: 'PASS',
        detail: 'use1-az1, use1-az2, use1-az4 available in us-east-1',
      });
      expect(r['Kafka version offered by MSK']?.result).toBe('PASS');
      expect(r['CDK bootstrap (CDKToolkit)']?.detail).toMatch(/bootstrap version 30/);
      expect(r['Lambda concurrency quota']?.detail).toMatch(new RegExp(`can use ${concurrencyNeeded()}`));
      expect(r['monthly cost of this context']?.detail).toMatch(/^~\$7\d\d /);
      // The EC2 call is SigV4-signed for the right service and region.
      const ec2 = aws.seen.find((s) => s.service === 'ec2')!;
      expect(ec2.authorization).toMatch(/Credential=AKIDPREFLIGHTTEST\/\d{8}\/us-east-1\/ec2\/aws4_request/);
      expect(aws.seen.map((s) => s.service).sort()).toEqual(['cloudformation', 'ec2', 'kafka', 'lambda']);
    } finally {
      await aws.stop();
    }
  }, 120_000);

  it('fails a new account in us-west-1 line by line, each with its fix, and exits 1', async () => {
    const aws = await awsStandIn({
      ec2: [200, 'ec2-describe-availability-zones-us-west-1.xml'],
      cloudformation: [400, 'cloudformation-describe-stacks-missing.xml'],
      kafka: [200, 'kafka-list-kafka-versions.json'],
      lambda: [200, 'lambda-get-account-settings-new-account.json'],
    });
    try {
      const io = new BufferIo();
      const code = await preflight(
        accountOnly({ region: 'us-west-1', context: ['kafkaVersion=3.5.1'] }),
        io,
        {
          env: aws.env,
          credentials,
        },
      );
      expect(code).toBe(EXIT.FAILURE);
      const r = rows(io);
      // An invalid context fails first, naming the key; the account checks need a valid one.
      expect(r['context (cdk.json and -c)']).toMatchObject({ result: 'FAIL' });
      expect(r['context (cdk.json and -c)']?.detail).toMatch(/kafkaVersion must be 3.6 or newer/);

      const io2 = new BufferIo();
      const code2 = await preflight(accountOnly({ region: 'us-west-1' }), io2, { env: aws.env, credentials });
      expect(code2).toBe(EXIT.FAILURE);
      const r2 = rows(io2);
      expect(r2['availability zones (AZ IDs) for MSK']).toEqual({
        result: 'FAIL',
        detail:
          'us-west-1 has no default zones in infra/availability-zones.ts: deploy with -c availabilityZoneIds=usw1-az1,usw1-az3',
      });
      expect(r2['CDK bootstrap (CDKToolkit)']).toEqual({
        result: 'FAIL',
        detail: 'no CDKToolkit stack in us-west-1: run `npx cdk bootstrap aws://<account>/us-west-1`',
      });
      expect(r2['Lambda concurrency quota']?.result).toBe('FAIL');
      expect(r2['Lambda concurrency quota']?.detail).toMatch(/10 unreserved of 10.*Service Quotas/);
      expect(r2['Kafka version offered by MSK']?.result).toBe('PASS');
      expect(io2.stdout).toMatch(/preflight FAILED: 3 of \d+ checks/);
    } finally {
      await aws.stop();
    }
  }, 120_000);

  it('accepts two zones in us-west-1 given by AZ ID', async () => {
    const aws = await awsStandIn({
      ec2: [200, 'ec2-describe-availability-zones-us-west-1.xml'],
      cloudformation: [200, 'cloudformation-describe-stacks-cdktoolkit.xml'],
      kafka: [200, 'kafka-list-kafka-versions.json'],
      lambda: [200, 'lambda-get-account-settings-established.json'],
    });
    try {
      const io = new BufferIo();
      const code = await preflight(
        accountOnly({
          region: 'us-west-1',
          context: [
            'availabilityZoneIds=usw1-az1,usw1-az3',
            'brokerCount=2',
            'replicationFactor=2',
            'stage=west',
          ],
        }),
        io,
        { env: aws.env, credentials },
      );
      expect(io.stdout).toMatch(/preflight passed/);
      expect(code).toBe(EXIT.OK);
      expect(rows(io)['availability zones (AZ IDs) for MSK']?.result).toBe('PASS');
    } finally {
      await aws.stop();
    }
  }, 120_000);
});

describe('campusg preflight (offline)', () => {
  it('refuses a replication-factor change on the locked dev stage', async () => {
    const io = new BufferIo();
    const code = await preflight(
      { target: 'local', context: ['replicationFactor=2'], offline: false, sagaTimeout: 60 },
      io,
    );
    expect(code).toBe(EXIT.FAILURE);
    expect(rows(io)['topic lock (infra/topic-lock.json)']).toMatchObject({ result: 'FAIL' });
    expect(rows(io)['topic lock (infra/topic-lock.json)']?.detail).toMatch(/replicationFactor 3 -> 2/);
  }, 180_000);

  it('synthesizes with cdk-nag, checks the bundles and runs a saga of each fate with IAM enforced', async () => {
    const io = new BufferIo();
    const code = await preflight({ target: 'local', context: [], offline: true, sagaTimeout: 300 }, io);
    const r = rows(io);
    expect(io.stdout).toMatch(/preflight passed/);
    expect(code).toBe(EXIT.OK);
    for (const check of [
      'context (cdk.json and -c)',
      'topic lock (infra/topic-lock.json)',
      'synth and cdk-nag',
      'bundles self-contained',
      'saga: completed',
      'saga: payment declined',
      'saga: acceptance timeout',
      'saga: cancelled by the customer',
      'IAM (execution roles from the template)',
    ]) {
      expect({ check, result: r[check]?.result }).toEqual({ check, result: 'PASS' });
    }
  }, 900_000);
});
