#!/usr/bin/env node
/**
 * CDK entry point (`cdk.json` runs `tsx infra/app.ts`). Every option is CDK context with a documented
 * default; see infra/config.ts and docs/deploy.md.
 */
import { buildApp } from './campusg-app';
import { applyLocalStackProfile } from './profiles/localstack';

const built = buildApp();
// `-c profile=localstack [-c localstackEdition=...]`: see infra/profiles/localstack.ts and localstack/README.md.
if (built.config.profile === 'localstack') applyLocalStackProfile(built);
built.app.synth();
