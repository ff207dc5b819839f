import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type CampusgApp } from '../../infra/campusg-app';
import {
  applyLocalStackProfile,
  type LocalStackProfileReport,
  readLocalStackOptions,
} from '../../infra/profiles/localstack';

/** The LocalStack profile: what each edition keeps and drops, synthesized with cdk-nag on. */

interface Synth {
  readonly built: CampusgApp;
  readonly report: LocalStackProfileReport;
  readonly t: { network: Template; messaging: Template; services: Template; observability: Template };
}

const dirs: string[] = [];

function synth(edition: string): Synth {
  const outdir = mkdtempSync(path.join(tmpdir(), 'campusg-localstack-'));
  dirs.push(outdir);
  const built = buildApp({
    outdir,
    nag: true,
    context: { profile: 'localstack', localstackEdition: edition, 'aws:cdk:bundling-stacks': [] },
  });
  const report = applyLocalStackProfile(built);
  // Synthesizing runs the cdk-nag packs and CDK's template validation: a finding fails here.
  built.app.synth();
  return {
    built,
    report,
    t: {
      network: Template.fromStack(built.network),
      messaging: Template.fromStack(built.messaging),
      services: Template.fromStack(built.services),
      observability: Template.fromStack(built.observability),
    },
  };
}

type Json = Record<string, any>;
const resources = (t: Template, type: string): Json[] => Object.values(t.findResources(type));
const kafkaFunctions = (t: Template) =>
  resources(t, 'AWS::Lambda::Function').filter(
    (f) => f.Properties.Environment?.Variables?.KAFKA_AUTH !== undefined,
  );

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('LocalStack profile, community edition', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth('community');
  });

  it('drops the MSK cluster, its topics and every event-source mapping', () => {
    expect(Object.keys(s.t.messaging.toJSON().Resources ?? {})).toEqual([]);
    for (const t of Object.values(s.t)) {
      const types = Object.values<Json>(t.toJSON().Resources ?? {}).map((r) => r.Type as string);
      expect(types.filter((type) => type.startsWith('AWS::MSK::'))).toEqual([]);
      expect(types).not.toContain('AWS::Lambda::EventSourceMapping');
    }
  });

  it('points every publisher at the compose Kafka without IAM or TLS, and names no cluster', () => {
    const fns = kafkaFunctions(s.t.services);
    expect(fns.length).toBeGreaterThanOrEqual(8);
    for (const fn of fns) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        KAFKA_BROKERS: 'kafka:19092',
        KAFKA_AUTH: 'none',
        KAFKA_TLS: 'false',
      });
      expect(fn.Properties.Environment.Variables.MSK_CLUSTER_ARN).toBeUndefined();
    }
    const text = JSON.stringify(s.t.services.toJSON());
    expect(text.match(/"kafka(-cluster)?:[A-Z][A-Za-z]+"/g)).toBeNull();
    expect(text).not.toContain('CampusG-dev-Messaging');
  });

  it('drops the HTTP API, the Cognito pool and the dashboard, and keeps functions, tables, timer and log shipping', () => {
    const types = Object.values<Json>(s.t.services.toJSON().Resources).map((r) => r.Type as string);
    expect(
      types.filter((t) => t.startsWith('AWS::ApiGatewayV2::') || t.startsWith('AWS::Cognito::')),
    ).toEqual([]);
    expect(Object.keys(s.t.observability.toJSON().Resources ?? {})).toEqual([]);
    s.t.services.resourceCountIs('AWS::Lambda::Function', 10);
    s.t.services.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    expect(resources(s.t.services, 'AWS::Logs::SubscriptionFilter').length).toBeGreaterThan(0);
    const apiPermissions = resources(s.t.services, 'AWS::Lambda::Permission').filter(
      (p) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(apiPermissions).toEqual([]);
  });

  it('drops the interface VPC endpoints and keeps the gateway ones', () => {
    const endpoints = resources(s.t.network, 'AWS::EC2::VPCEndpoint');
    expect(endpoints.map((e) => e.Properties.VpcEndpointType ?? 'Gateway')).toEqual(['Gateway', 'Gateway']);
  });

  it('reports what it dropped with a reason', () => {
    const paths = s.report.dropped.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['CampusG-dev-Messaging/Kafka', 'CampusG-dev-Services/Api']),
    );
    for (const d of s.report.dropped) expect(d.reason).toMatch(/LocalStack|endpoint/);
  });

  it('is applied once however often it is called', () => {
    expect(applyLocalStackProfile(s.built)).toBe(s.report);
  });
});

describe('LocalStack profile, ultimate edition', () => {
  let s: Synth;
  beforeAll(() => {
    s = synth('ultimate');
  });

  it('deploys the app as it is: MSK cluster, topics, mappings, HTTP API and Cognito', () => {
    s.t.messaging.resourceCountIs('AWS::MSK::Cluster', 1);
    expect(resources(s.t.messaging, 'AWS::MSK::Topic').length).toBeGreaterThan(0);
    expect(resources(s.t.services, 'AWS::Lambda::EventSourceMapping').length).toBeGreaterThan(0);
    s.t.services.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    s.t.services.resourceCountIs('AWS::Cognito::UserPool', 1);
  });

  it("keeps the cluster ARN and talks plaintext to LocalStack's brokers", () => {
    for (const fn of kafkaFunctions(s.t.services)) {
      expect(fn.Properties.Environment.Variables.MSK_CLUSTER_ARN).toBeDefined();
      expect(fn.Properties.Environment.Variables).toMatchObject({ KAFKA_AUTH: 'none', KAFKA_TLS: 'false' });
      expect(fn.Properties.Environment.Variables.KAFKA_BROKERS).toBeUndefined();
    }
  });
});

describe('LocalStack profile options', () => {
  const read = (context: Record<string, unknown>) => readLocalStackOptions(new App({ context }));

  it('defaults to the community edition and the compose broker', () => {
    expect(read({})).toEqual({ edition: 'community', kafkaBrokers: 'kafka:19092' });
  });

  it('reads pro as ultimate', () => {
    expect(read({ localstackEdition: 'pro' }).edition).toBe('ultimate');
  });

  it('names every bad value at once', () => {
    expect(() => read({ localstackEdition: 'gold', localstackKafkaBrokers: 'nope' })).toThrow(
      /localstackEdition must be one of.*\n.*localstackKafkaBrokers must be host:port/,
    );
  });
});
