#!/usr/bin/env node
/**
 * CDK entry point of the LocalStack profile (`npm run localstack:deploy` runs
 * `cdk --app "npx tsx infra/profiles/localstack-app.ts" -c localstackEdition=...`): the app of infra/app.ts
 * with the profile of ./localstack.ts applied.
 */
import { buildApp } from '../campusg-app';
import { applyLocalStackProfile } from './localstack';

const built = buildApp({ context: { profile: 'localstack' } });
const report = applyLocalStackProfile(built);
process.stderr.write(
  `LocalStack ${report.edition} profile: ${report.dropped.length === 0 ? 'nothing dropped' : `dropped ${report.dropped.length} construct(s)`}\n`,
);
built.app.synth();
