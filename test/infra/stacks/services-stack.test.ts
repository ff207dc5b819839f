import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ALL_FUNCTIONS, CONSUMERS, consumerId } from '#infra/catalogue';
import { consumerBindings, SERVICES } from '#shared/topology';
import { arnTail, asArray, resourcesOf, synthesize } from '#test/support/cdk-app';

type Json = Record<string, any>;

const DATA_PLANE = [
  'kafka-cluster:ReadData',
  'kafka-cluster:WriteData',
  'kafka-cluster:DescribeGroup',
  'kafka-cluster:AlterGroup',
];

/** The logical id of the one resource of `type` (whose id matches `pattern`, when given). */
function idOf(t: Template, type: string, pattern?: RegExp): string {
  const ids = resourcesOf(t, type)
    .map(([id]) => id)
    .filter((id) => !pattern || pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** Function logical id -> its role's inline/default policy statements. */
function statementsByFunction(t: Template): Map<string, Json[]> {
  const functions = resourcesOf(t, 'AWS::Lambda::Function');
  const policies = [...resourcesOf(t, 'AWS::IAM::Policy')];
  const roleOf = new Map(functions.map(([id, f]) => [id, f.Properties.Role['Fn::GetAtt'][0] as string]));
  const out = new Map<string, Json[]>();
  for (const [fnId, roleId] of roleOf) {
    const statements = policies
      .filter(([, p]) => asArray(p.Properties.Roles).some((r: Json) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    out.set(fnId, statements);
  }
  return out;
}

describe('ServicesStack', () => {
  let t: Template;
  beforeAll(() => {
    t = synthesize().templates.services;
  });

  it('makes every function of the conventions with its logical id, Node 22 on arm64 and its log group', () => {
    const functions = Object.fromEntries(resourcesOf(t, 'AWS::Lambda::Function'));
    expect(Object.keys(functions).sort()).toEqual(ALL_FUNCTIONS.map((f) => f.id).sort());
    for (const spec of ALL_FUNCTIONS) {
      const p = functions[spec.id]!.Properties;
      expect(p).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(p.Environment.Variables).toMatchObject({
        CAMPUSG_SERVICE: spec.service,
        POWERTOOLS_SERVICE_NAME: spec.service,
        POWERTOOLS_METRICS_NAMESPACE: 'CampusG',
      });
      expect(p.LoggingConfig.LogGroup).toEqual({
        Ref: expect.stringMatching(new RegExp(`^${spec.id}LogGroup`)),
      });
      expect(p.VpcConfig.SubnetIds).toHaveLength(3);
    }
  });

  it('sets the environment variables of docs/conventions.md', () => {
    const env = (id: string) =>
      t.findResources('AWS::Lambda::Function')[id]!.Properties.Environment.Variables;
    expect(env('OrderApiFunction')).toMatchObject({
      ORDERS_TABLE: 'campusg-dev-orders',
      KAFKA_AUTH: 'iam',
      KAFKA_TLS: 'true',
    });
    // the cluster's ARN, imported from the Messaging stack (docs/conventions.md)
    expect(env('OrderApiFunction').MSK_CLUSTER_ARN).toEqual({
      'Fn::ImportValue': expect.stringMatching(/^CampusG-dev-Messaging:.*KafkaCluster.*Arn/),
    });
    expect(env('PaymentConsumer')).toMatchObject({
      PAYMENTS_TABLE: 'campusg-dev-payments',
      PAYMENT_LIMIT_CENTS: '50000',
      DEAD_LETTER_TOPIC: 'dead-letters',
    });
    expect(env('NotificationApiFunction')).toMatchObject({
      NOTIFICATIONS_TABLE: 'campusg-dev-notifications',
    });
    expect(env('NotificationApiFunction').MSK_CLUSTER_ARN).toBeUndefined();
    expect(env('LogSinkConsumer')).toMatchObject({ LOGS_TABLE: 'campusg-dev-logs' });
    expect(env('TimerConsumer')).toMatchObject({
      SCHEDULE_GROUP_NAME: 'campusg-dev-timers',
      ORDER_ACCEPT_TIMEOUT_SECONDS: '900',
      SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^TimerSchedulerRole/), 'Arn'] },
      TIMER_FIRE_FUNCTION_ARN: { 'Fn::GetAtt': ['TimerFireFunction', 'Arn'] },
    });
  });

  it('has one event-source mapping per (service, consumed topic) with its topic, group id and start position', () => {
    const mappings = resourcesOf(t, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const actual = mappings
      .map((m) => [
        m.FunctionName.Ref,
        m.Topics.join(','),
        m.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId,
      ])
      .sort();
    const expected = consumerBindings()
      .map((b) => [consumerId(b.service), b.topic, b.groupId])
      .sort();
    expect(actual).toEqual(expected);
    for (const m of mappings) {
      expect(m).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 0,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 3,
        DestinationConfig: { OnFailure: { Destination: 'kafka://dead-letters' } },
        ProvisionedPollerConfig: { PollerGroupName: 'campusg-dev', MinimumPollers: 1, MaximumPollers: 2 },
      });
    }
    // Group ids are unique, so no two mappings split a topic's partitions.
    expect(new Set(mappings.map((m) => m.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId)).size).toBe(
      mappings.length,
    );
  });

  it('grants each function Kafka data-plane rights on exactly its topics and groups, never kafka-cluster:*', () => {
    const byFunction = statementsByFunction(t);
    for (const spec of ALL_FUNCTIONS) {
      const statements = byFunction.get(spec.id)!;
      const resourcesFor = (action: string) =>
        statements
          .filter((s) => asArray(s.Action).includes(action))
          .flatMap((s) => asArray(s.Resource).map(arnTail))
          .sort();
      expect(resourcesFor('kafka-cluster:ReadData')).toEqual([...spec.consumes].sort());
      expect(resourcesFor('kafka-cluster:WriteData')).toEqual([...spec.publishes].sort());
      expect(resourcesFor('kafka-cluster:AlterGroup')).toEqual(
        spec.consumes.map((c) => `campusg-${spec.service}-${c}`).sort(),
      );
      for (const s of statements) {
        const actions = asArray(s.Action) as string[];
        expect(actions.filter((a) => a.startsWith('kafka-cluster:') && a.includes('*'))).toEqual([]);
        if (actions.some((a) => DATA_PLANE.includes(a))) expect(asArray(s.Resource)).not.toContain('*');
      }
    }
  });

  it('lets Scheduler alone assume the scheduler role, which may only invoke the fire function', () => {
    const [roleId, role] = resourcesOf(t, 'AWS::IAM::Role').find(([id]) =>
      id.startsWith('TimerSchedulerRole'),
    )!;
    const trust = role.Properties.AssumeRolePolicyDocument.Statement as Json[];
    expect(trust).toHaveLength(1);
    expect(trust[0]!.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = role.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': ['TimerFireFunction', 'Arn'] },
      },
    ]);

    const timer = statementsByFunction(t).get('TimerConsumer')!;
    const passRole = timer.find((s) => asArray(s.Action).includes('iam:PassRole'))!;
    expect(passRole.Resource).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(passRole.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
    const schedules = timer.find((s) => asArray(s.Action).includes('scheduler:CreateSchedule'))!;
    expect(JSON.stringify(schedules.Resource)).toContain(':schedule/campusg-dev-timers/*');
    // Nobody else may pass roles or manage schedules.
    for (const [fnId, statements] of statementsByFunction(t)) {
      if (fnId === 'TimerConsumer') continue;
      expect(statements.flatMap((s) => asArray(s.Action))).not.toContain('iam:PassRole');
    }
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'campusg-dev-timers' });
  });

  it('routes the API to the order and notification functions behind a JWT authorizer', () => {
    const routes = resourcesOf(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      [
        'POST /orders',
        'GET /orders/{id}',
        'POST /orders/{id}/accept',
        'POST /orders/{id}/complete',
        'POST /orders/{id}/cancel',
        'GET /users/{id}/notifications',
      ].sort(),
    );
    for (const r of routes) expect(r.AuthorizationType).toBe('JWT');
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: idOf(t, 'AWS::Cognito::UserPoolClient') }],
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.',
              { Ref: 'AWS::Region' },
              '.amazonaws.com/',
              { Ref: idOf(t, 'AWS::Cognito::UserPool') },
            ],
          ],
        },
      },
    });
    const integrations = resourcesOf(t, 'AWS::ApiGatewayV2::Integration').map(([, i]) => i.Properties);
    expect(integrations.map((i) => i.IntegrationUri['Fn::GetAtt'][0]).sort()).toEqual([
      'NotificationApiFunction',
      'OrderApiFunction',
    ]);
    for (const i of integrations) expect(i.PayloadFormatVersion).toBe('2.0');
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [idOf(t, 'AWS::Logs::LogGroup', /^ApiAccessLogs/), 'Arn'] },
        Format: Match.stringLikeRegexp('requestId'),
      },
    });
  });

  it('makes a Cognito user pool with the customers and runners groups by default', () => {
    t.resourceCountIs('AWS::Cognito::UserPool', 1);
    const groups = resourcesOf(t, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['customers', 'runners']);
    t.hasOutput('UserPoolId', { Value: { Ref: idOf(t, 'AWS::Cognito::UserPool') } });
    t.hasOutput('UserPoolClientId', { Value: { Ref: idOf(t, 'AWS::Cognito::UserPoolClient') } });
    t.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: idOf(t, 'AWS::ApiGatewayV2::Api') },
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/',
          ],
        ],
      },
    });
  });

  it('ships every service log group to the log shipper, never its own or the log sink', () => {
    const filters = resourcesOf(t, 'AWS::Logs::SubscriptionFilter').map(([, f]) => f.Properties);
    const shipped = filters
      .map((f) => f.LogGroupName.Ref as string)
      .map((ref) => ref.replace(/LogGroup.*$/, ''));
    expect(shipped.sort()).toEqual(
      ALL_FUNCTIONS.map((f) => f.id)
        .filter((id) => id !== 'LogShipperFunction' && id !== 'LogSinkConsumer')
        .sort(),
    );
    for (const f of filters)
      expect(f.DestinationArn).toEqual({ 'Fn::GetAtt': ['LogShipperFunction', 'Arn'] });
  });

  it('gives the asynchronously invoked functions a dead-letter queue', () => {
    const functions = t.findResources('AWS::Lambda::Function');
    const dlq = { TargetArn: { 'Fn::GetAtt': [idOf(t, 'AWS::SQS::Queue', /^AsyncInvokeDlq/), 'Arn'] } };
    expect(functions.TimerFireFunction!.Properties.DeadLetterConfig).toEqual(dlq);
    expect(functions.LogShipperFunction!.Properties.DeadLetterConfig).toEqual(dlq);
  });
});

describe('ServicesStack variants', () => {
  let t: Template;
  beforeAll(() => {
    t = synthesize({
      esmMode: 'on-demand',
      jwtIssuer: 'https://login.example.edu',
      jwtAudience: 'campusg-app',
      jwtRolesClaim: 'groups',
      corsOrigins: 'https://campusg.example.edu',
      batchingWindowSeconds: '1',
    }).templates.services;
  });

  it('drops provisioned-mode settings from every mapping in on-demand mode', () => {
    const mappings = resourcesOf(t, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(consumerBindings().length);
    for (const m of mappings) {
      expect(m.ProvisionedPollerConfig).toBeUndefined();
      expect(m.DestinationConfig).toBeUndefined();
      expect(m.MaximumBatchingWindowInSeconds).toBe(1);
    }
  });

  it('uses the external issuer instead of a user pool, with CORS from context', () => {
    t.resourceCountIs('AWS::Cognito::UserPool', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Audience: ['campusg-app'], Issuer: 'https://login.example.edu' },
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://campusg.example.edu'] }),
    });
    // Roles come from the claim the configured issuer uses, and only from it.
    for (const [id, fn] of resourcesOf(t, 'AWS::Lambda::Function')) {
      if (id === 'OrderApiFunction' || id === 'NotificationApiFunction') {
        expect(fn.Properties.Environment.Variables.JWT_ROLES_CLAIM).toBe('groups');
      }
    }
  });

  it('derives the consumers from the topology', () => {
    expect(CONSUMERS.map((c) => c.service)).toEqual(
      SERVICES.filter((s) => s.consumes.length > 0).map((s) => s.name),
    );
  });
});
