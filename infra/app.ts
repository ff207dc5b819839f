#!/usr/bin/env node
/**
 * CDK entry point (`cdk.json` runs `tsx infra/app.ts`). Every option is CDK context with a documented
 * default; see infra/config.ts and docs/deploy.md.
 */
import { buildApp } from './campusg-app';

buildApp().app.synth();
