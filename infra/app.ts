#!/usr/bin/env node
/**
 * CDK entry point (`cdk.json` runs `tsx infra/app.ts`). Every option is CDK context with a documented
 * default; see infra/config.ts and docs/deploy.md.
 */
import * as path from 'node:path';
import { buildApp } from './campusg-app';
import { applyLocalStackProfile } from './profiles/localstack';

// The topic lock refuses topic changes a live stage cannot take (infra/topic-lock.ts).
const built = buildApp({ topicLockFile: path.join(__dirname, 'topic-lock.json') });
// `-c profile=localstack [-c localstackEdition=...]`: see infra/profiles/localstack.ts and localstack/README.md.
if (built.config.profile === 'localstack') applyLocalStackProfile(built);
built.app.synth();
