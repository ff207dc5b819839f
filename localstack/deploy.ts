/**
 * `npm run localstack:deploy [-- --edition community|base|ultimate]`: bootstraps and deploys the CDK app to
 * LocalStack with the LocalStack profile, into `cdk.out.localstack` (so `cdk.out`, the app `npm start` and
 * the bridge read, stays the AWS profile).
 *
 * Plain `cdk` is enough: CDK CLI 2.177+ honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, which is all
 * `cdklocal` (aws-cdk-local) sets up. For safety every credential and profile of the caller's environment is
 * replaced, so this script can never reach a real AWS account.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const EDITIONS = ['community', 'base', 'ultimate', 'pro'];

function fromDotEnv(key: string): string | undefined {
  const file = path.join(ROOT, 'localstack', '.env');
  if (!fs.existsSync(file)) return undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === key) return m[2]!.replace(/^["']|["']$/g, '');
  }
  return undefined;
}

function fail(message: string): never {
  process.stderr.write(`localstack:deploy: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = args.indexOf('--edition');
  const edition =
    (flag >= 0 ? args[flag + 1] : undefined) ??
    process.env.LOCALSTACK_EDITION ??
    fromDotEnv('LOCALSTACK_EDITION') ??
    'community';
  if (!EDITIONS.includes(edition)) fail(`--edition must be one of ${EDITIONS.join(', ')}, got ${edition}`);
  const endpoint = process.env.LOCALSTACK_ENDPOINT ?? 'http://localhost:4566';
  const region = process.env.AWS_REGION ?? 'us-east-1';

  try {
    const res = await fetch(`${endpoint}/_localstack/health`);
    if (!res.ok) fail(`LocalStack at ${endpoint} answered ${res.status}; is it up? (npm run localstack:up)`);
  } catch {
    fail(`LocalStack is not reachable at ${endpoint}: run npm run localstack:up first`);
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of [
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_CONFIG_FILE',
    'AWS_SHARED_CREDENTIALS_FILE',
  ]) {
    delete env[k];
  }
  Object.assign(env, {
    AWS_ENDPOINT_URL: endpoint,
    // Asset buckets are addressed virtual-host style; *.localhost.localstack.cloud resolves to 127.0.0.1.
    AWS_ENDPOINT_URL_S3: endpoint.replace('://localhost', '://s3.localhost.localstack.cloud'),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  });
  const context = [
    '-c',
    'profile=localstack',
    '-c',
    `localstackEdition=${edition}`,
    '--output',
    'cdk.out.localstack',
  ];
  const run = (cdkArgs: string[]) => {
    process.stderr.write(`$ cdk ${cdkArgs.join(' ')}\n`);
    const r = spawnSync('npx', ['cdk', ...cdkArgs], { cwd: ROOT, env, stdio: 'inherit' });
    if (r.status !== 0) fail(`cdk ${cdkArgs[0]} failed (exit ${r.status ?? r.signal})`);
  };
  run(['bootstrap', `aws://000000000000/${region}`, ...context]);
  run(['deploy', '--all', '--require-approval', 'never', ...context]);
  process.stderr.write(
    `\nDeployed the ${edition} profile to ${endpoint}.\nNext: npm run localstack:bridge   (fires schedules${
      edition === 'ultimate' || edition === 'pro' ? '' : ', runs the event-source mappings'
    }${edition === 'community' ? ' and serves the HTTP API on http://127.0.0.1:3000' : ''})\n`,
  );
}

void main();
