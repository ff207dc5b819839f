/**
 * Pins the deploy-readiness findings of issue 11 in the synthesized templates: zones by AZ ID, upgrades
 * CloudFormation can apply, explicit exports, the Cognito app client, alarms that reach someone, and the
 * serverless topic resource's timeout. One synth per configuration, shared by the tests that read it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template as T, type Template } from 'aws-cdk-lib/assertions';
import { checkAzIds, DEFAULT_AZ_IDS, MSK_REJECTED_AZ_IDS } from '#infra/availability-zones';
import { buildApp } from '#infra/campusg-app';
import { CONSUMERS, Names } from '#infra/catalogue';
import { parseConfig } from '#infra/config';
import { brokerConfigurationName } from '#infra/constructs/kafka-cluster';
import { DataStack } from '#infra/stacks/data-stack';
import { MessagingStack } from '#infra/stacks/messaging-stack';
import { NetworkStack } from '#infra/stacks/network-stack';
import { compareWithLock, type StageTopics } from '#infra/topic-lock';
import { TOPICS } from '#shared/topology';
import { resourcesOf, type Synthesized, synthesize } from '#test/support/cdk-app';

const exportsOf = (t: Template) =>
  Object.values(t.toJSON().Outputs ?? {})
    .map((o: any) => o.Export?.Name)
    .filter(Boolean)
    .map((n: unknown) => JSON.stringify(n))
    .sort();

describe('the default app', () => {
  let app: Synthesized;
  beforeAll(() => {
    app = synthesize();
  });

  it('places every subnet by AZ ID from a per-region default that avoids use1-az3', () => {
    const t = app.templates.network.toJSON();
    const subnets = resourcesOf(app.templates.network, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(3);
    subnets.forEach(([, s], i) => {
      expect(s.Properties.AvailabilityZone).toBeUndefined();
      expect(s.Properties.AvailabilityZoneId).toEqual({
        'Fn::Select': [i, { 'Fn::FindInMap': ['AvailabilityZoneIds', { Ref: 'AWS::Region' }, 'Ids'] }],
      });
    });
    const mapping = t.Mappings.AvailabilityZoneIds as Record<string, { Ids: string[] }>;
    expect(Object.keys(mapping)).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
    for (const [region, { Ids }] of Object.entries(mapping)) {
      expect({ region, problems: checkAzIds(Ids, 3) }).toEqual({ region, problems: [] });
      expect(Ids.some((id) => MSK_REJECTED_AZ_IDS.includes(id))).toBe(false);
    }
  });

  it('names the MSK configuration after the Kafka version and its content', () => {
    const [, cfg] = resourcesOf(app.templates.messaging, 'AWS::MSK::Configuration')[0]!;
    const { Name, KafkaVersionsList, ServerProperties } = cfg.Properties;
    expect(Name).toBe(brokerConfigurationName('campusg-dev', KafkaVersionsList[0], ServerProperties));
    expect(Name).toMatch(/^campusg-dev-3-8-x-[0-9a-f]{8}$/);
    expect(brokerConfigurationName('campusg-dev', '3.9.x', ServerProperties)).not.toBe(Name);
    expect(brokerConfigurationName('campusg-dev', '3.8.x', `${ServerProperties}x=1\n`)).not.toBe(Name);
  });

  it('sends broker logs to a log group under /aws/vendedlogs/', () => {
    const cluster = resourcesOf(app.templates.messaging, 'AWS::MSK::Cluster')[0]![1];
    const groupRef = cluster.Properties.LoggingInfo.BrokerLogs.CloudWatchLogs.LogGroup.Ref;
    const group = app.templates.messaging.toJSON().Resources[groupRef];
    expect(group.Properties.LogGroupName).toBe('/aws/vendedlogs/msk/campusg-dev');
  });

  it('keeps the 900 s acceptance deadline by default', () => {
    const timer = resourcesOf(app.templates.services, 'AWS::Lambda::Function').find(
      ([id]) => id === 'TimerConsumer',
    )![1];
    expect(timer.Properties.Environment.Variables.ORDER_ACCEPT_TIMEOUT_SECONDS).toBe('900');
  });

  it('gives the app client SRP and no implicit grant, OAuth off without callbacks, and no self sign-up', () => {
    const [, client] = resourcesOf(app.templates.services, 'AWS::Cognito::UserPoolClient')[0]!;
    const flows: string[] = client.Properties.ExplicitAuthFlows;
    expect(flows).toContain('ALLOW_USER_SRP_AUTH');
    expect(flows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    expect(client.Properties.AllowedOAuthFlows ?? []).not.toContain('implicit');
    expect(client.Properties.CallbackURLs ?? []).toEqual([]);
    expect(client.Properties.AllowedOAuthFlowsUserPoolClient ?? false).toBe(false);
    const [, pool] = resourcesOf(app.templates.services, 'AWS::Cognito::UserPool')[0]!;
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
  });

  it('tells the API functions which claim carries the roles', () => {
    const fns = Object.fromEntries(resourcesOf(app.templates.services, 'AWS::Lambda::Function'));
    for (const id of ['OrderApiFunction', 'NotificationApiFunction']) {
      expect(fns[id]!.Properties.Environment.Variables.JWT_ROLES_CLAIM).toBe('cognito:groups');
    }
  });

  it('notifies one SNS topic from every alarm', () => {
    const t = app.templates.observability;
    const [topicId] = resourcesOf(t, 'AWS::SNS::Topic')[0]!;
    const alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(30);
    for (const [id, a] of alarms) {
      expect({ id, actions: a.Properties.AlarmActions }).toEqual({ id, actions: [{ Ref: topicId }] });
    }
    t.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('alarms on any record arriving in dead-letters, summed over every broker', () => {
    const alarm = resourcesOf(app.templates.observability, 'AWS::CloudWatch::Alarm').find(([id]) =>
      id.startsWith('MonitoringDeadLetterTopicWrites'),
    )![1].Properties;
    expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(alarm.Threshold).toBe(0);
    const metrics = alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric);
    expect(metrics).toHaveLength(3);
    for (const m of metrics) {
      expect(m.Namespace).toBe('AWS/Kafka');
      expect(m.MetricName).toBe('BytesInPerSec');
      expect(m.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'Cluster Name', Value: 'campusg-dev' },
          { Name: 'Topic', Value: 'dead-letters' },
        ]),
      );
    }
  });

  it("draws every mapping's MetricsConfig metrics on the dashboard", () => {
    const [, dash] = resourcesOf(app.templates.observability, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = JSON.stringify(dash.Properties.DashboardBody);
    expect(body).toContain('EventSourceMappingUUID');
    const mappings = CONSUMERS.reduce((n, c) => n + c.consumes.length, 0);
    expect(body.split('{AWS/Lambda,EventSourceMappingUUID}').length - 1).toBe(mappings);
  });
});

describe('cross-stack exports', () => {
  it('are pinned by each producer, so they stay when no consumer imports them', () => {
    const full = synthesize();
    const config = parseConfig(() => undefined);
    const alone = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const network = new NetworkStack(alone, 'CampusG-dev-Network', { config });
    const messaging = new MessagingStack(alone, 'CampusG-dev-Messaging', {
      config,
      clusterName: 'campusg-dev',
      network: network.network,
    });
    const data = new DataStack(alone, 'CampusG-dev-Data', { config, names: new Names('dev') });
    // Network exports what messaging and services import even without the services stack.
    expect(exportsOf(T.fromStack(network))).toEqual(exportsOf(full.templates.network));
    expect(exportsOf(T.fromStack(data))).toEqual(exportsOf(full.templates.data));
    expect(exportsOf(T.fromStack(messaging))).toEqual(exportsOf(full.templates.messaging));
    expect(exportsOf(full.templates.services).length).toBeGreaterThan(1);
  });
});

describe('zones from context', () => {
  it('accepts two zones in us-west-1 with an even broker count', () => {
    const app = synthesize({
      availabilityZoneIds: 'usw1-az1,usw1-az3',
      brokerCount: '2',
      replicationFactor: '2',
    });
    const subnets = resourcesOf(app.templates.network, 'AWS::EC2::Subnet').map(
      ([, s]) => s.Properties.AvailabilityZoneId,
    );
    expect(subnets).toEqual(['usw1-az1', 'usw1-az3']);
    const cluster = resourcesOf(app.templates.messaging, 'AWS::MSK::Cluster')[0]![1];
    expect(cluster.Properties.BrokerNodeGroupInfo.ClientSubnets).toHaveLength(2);
  });

  it.each([
    [{ availabilityZoneIds: 'use1-az1,use1-az3,use1-az4' }, /use1-az3 cannot hold MSK client subnets/],
    [
      { availabilityZoneIds: 'usw1-az1,usw1-az2,usw1-az3' },
      /us-west-1 allows exactly two MSK client subnets/,
    ],
    [{ availabilityZoneIds: 'use1-az1,euw1-az2', brokerCount: '2', replicationFactor: '2' }, /mixes regions/],
    [{ availabilityZoneIds: 'us-east-1a,us-east-1b' }, /must be AZ IDs/],
    [{ availabilityZoneIds: 'usw1-az1,usw1-az3' }, /brokerCount \(3\) must be a multiple of the 2 zones/],
  ])('refuses %j at synth', (context, message) => {
    expect(() => buildApp({ context: { ...context, 'aws:cdk:bundling-stacks': [] }, nag: false })).toThrow(
      message,
    );
  });

  it('has a default for each documented region', () => {
    const doc = readFileSync(path.join(__dirname, '../../docs/deploy.md'), 'utf8');
    for (const region of Object.keys(DEFAULT_AZ_IDS)) expect(doc).toContain(region);
  });
});

describe('the topic lock', () => {
  const locked: StageTopics = {
    clusterMode: 'provisioned',
    replicationFactor: 3,
    partitions: Object.fromEntries(TOPICS.map((t) => [t.name, t.partitions])),
  };
  const lockFile = () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'campusg-lock-')), 'topic-lock.json');
    writeFileSync(file, JSON.stringify({ dev: locked }));
    return file;
  };
  const build = (context: Record<string, unknown>, topicLockFile: string, notes: string[] = []) =>
    buildApp({
      context: { ...context, 'aws:cdk:bundling-stacks': [] },
      nag: false,
      topicLockFile,
      note: (l) => notes.push(l),
    });

  it('refuses a replication-factor change on a locked stage, saying how to migrate', () => {
    expect(() => build({ replicationFactor: '2' }, lockFile())).toThrow(
      /replicationFactor 3 -> 2 would replace every AWS::MSK::Topic under the same name.*docs\/deploy\.md/s,
    );
  });

  it('refuses a clusterMode switch on a locked stage', () => {
    expect(() => build({ clusterMode: 'serverless' }, lockFile())).toThrow(
      /clusterMode=provisioned; switching to serverless.*new stage/,
    );
  });

  it('refuses fewer partitions and a topic leaving the topology', () => {
    const current = { ...locked, partitions: { ...locked.partitions, 'order-events': 2 } };
    delete (current.partitions as Record<string, number>)['system-logs'];
    const { problems } = compareWithLock({ dev: locked }, 'dev', current);
    expect(problems.join('\n')).toMatch(/order-events partitions 3 -> 2/);
    expect(problems.join('\n')).toMatch(/system-logs left the topology/);
  });

  it('records a new stage and allowed growth, and leaves an unchanged stage alone', () => {
    const file = lockFile();
    const notes: string[] = [];
    build({ stage: 'qa' }, file, notes);
    expect(JSON.parse(readFileSync(file, 'utf8')).qa).toEqual(locked);
    expect(notes.join('\n')).toMatch(/recorded the topic settings of stage qa/);
    const before = readFileSync(file, 'utf8');
    const quiet: string[] = [];
    build({ stage: 'qa' }, file, quiet);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(quiet).toEqual([]);
    const grown = compareWithLock({ dev: locked }, 'dev', {
      ...locked,
      partitions: { ...locked.partitions, 'order-events': 6 },
    });
    expect(grown).toMatchObject({ problems: [], changed: true });
  });

  it('matches the committed lock for the default dev stage', () => {
    const committed = JSON.parse(readFileSync(path.join(__dirname, '../../infra/topic-lock.json'), 'utf8'));
    expect(committed.dev).toEqual(locked);
  });
});

describe('options', () => {
  it('mails the alarm topic, makes OAuth code-grant only with callbacks, and maps roles of an external issuer', () => {
    const app = synthesize({
      alarmEmail: 'ops@example.edu',
      authCallbackUrls: 'https://app.example.edu/callback',
      selfSignUp: 'true',
    });
    app.templates.observability.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.edu',
    });
    const [, client] = resourcesOf(app.templates.services, 'AWS::Cognito::UserPoolClient')[0]!;
    expect(client.Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(client.Properties.CallbackURLs).toEqual(['https://app.example.edu/callback']);
    const [, pool] = resourcesOf(app.templates.services, 'AWS::Cognito::UserPool')[0]!;
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(false);
  });

  it('requires the roles claim with an external issuer', () => {
    expect(() =>
      parseConfig((k) => ({ jwtIssuer: 'https://idp.example.edu', jwtAudience: 'campusg' })[k]),
    ).toThrow(/jwtIssuer needs jwtRolesClaim/);
    const c = parseConfig(
      (k) => ({ jwtIssuer: 'https://idp.example.edu', jwtAudience: 'campusg', jwtRolesClaim: 'groups' })[k],
    );
    expect(c.jwtRolesClaim).toBe('groups');
  });
});

describe('serverless topics', () => {
  it('gives the topic custom resource a service timeout well under the hour', () => {
    const app = synthesize({ clusterMode: 'serverless' });
    const [, cr] = resourcesOf(app.templates.messaging, 'Custom::CampusgKafkaTopics')[0]!;
    expect(cr.Properties.ServiceTimeout).toBeDefined();
    expect(Number(cr.Properties.ServiceTimeout)).toBeLessThanOrEqual(600);
    const alarm = resourcesOf(app.templates.observability, 'AWS::CloudWatch::Alarm').find(([id]) =>
      id.startsWith('MonitoringDeadLetterTopicWrites'),
    )![1].Properties;
    expect(alarm.Dimensions).toEqual([
      { Name: 'Cluster Name', Value: 'campusg-dev' },
      { Name: 'Topic', Value: 'dead-letters' },
    ]);
  });
});
