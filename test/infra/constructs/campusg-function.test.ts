/**
 * Template test of CampusgFunction alone, on a bare stack: the house defaults (runtime, architecture,
 * memory, timeout, tracing, VPC placement, environment), its log group, the catalogue id as logical id, and
 * IAM for exactly its tables and topics.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { FunctionSpec } from '#infra/catalogue';
import { CampusgFunction } from '#infra/constructs/campusg-function';
import { bareStack, FIXTURE_CLUSTER_ARN, functionContext } from '#test/support/cdk-stack';

const READER: FunctionSpec = {
  id: 'ReaderFunction',
  entry: 'functions/notification/api.ts',
  service: 'notification',
  description: 'reads notifications',
  consumes: [],
  publishes: [],
  tables: { notifications: 'read' },
  timeoutSeconds: 10,
};

const PUBLISHER: FunctionSpec = {
  id: 'PublisherFunction',
  entry: 'functions/timer/fire.ts',
  service: 'timer',
  description: 'publishes timeouts',
  consumes: [],
  publishes: ['timer-events'],
  tables: { timers: 'readWrite' },
  timeoutSeconds: 30,
};

type Json = Record<string, any>;

function statementsOf(t: Template): Json[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Json[],
  );
}

describe('CampusgFunction', () => {
  describe('a reader of one table that uses no Kafka', () => {
    const stack = bareStack();
    const fn = new CampusgFunction(stack, 'Reader', { spec: READER, context: functionContext(stack) });
    const t = Template.fromStack(stack);

    it('is one Node.js 22 arm64 function with the house defaults, under the catalogue id', () => {
      t.resourceCountIs('AWS::Lambda::Function', 1);
      expect(Object.keys(t.findResources('AWS::Lambda::Function'))).toEqual(['ReaderFunction']);
      t.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'campusg-test-ReaderFunction',
        Description: 'reads notifications',
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        VpcConfig: {
          SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^FixtureSecurityGroup'), 'GroupId'] }],
        },
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ReaderLogGroup') } },
        Environment: {
          Variables: {
            CAMPUSG_SERVICE: 'notification',
            POWERTOOLS_SERVICE_NAME: 'notification',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_METRICS_NAMESPACE: 'CampusG',
            NODE_OPTIONS: '--enable-source-maps',
            NOTIFICATIONS_TABLE: 'fixture-notifications',
          },
        },
      });
      expect(fn.knownName).toBe('campusg-test-ReaderFunction');
    });

    it('gets no Kafka settings and no dead-letter queue', () => {
      const env = Object.values(t.findResources('AWS::Lambda::Function'))[0]!.Properties.Environment
        .Variables;
      expect(env.MSK_CLUSTER_ARN).toBeUndefined();
      expect(env.DEAD_LETTER_TOPIC).toBeUndefined();
      t.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: Match.absent() });
    });

    it('writes to its own log group with the context retention', () => {
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: '/aws/lambda/campusg-test-ReaderFunction',
        RetentionInDays: 14,
      });
    });

    it('may only read its table and grants no Kafka action', () => {
      const statements = statementsOf(t);
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
      expect(actions).toContain('dynamodb:GetItem');
      expect(actions).not.toContain('dynamodb:PutItem');
      expect(actions.filter((a) => a.startsWith('kafka'))).toEqual([]);
    });
  });

  describe('a publisher with a dead-letter queue', () => {
    const stack = bareStack();
    const dlq = new sqs.Queue(stack, 'Dlq');
    new CampusgFunction(stack, 'Publisher', {
      spec: PUBLISHER,
      context: functionContext(stack),
      deadLetterQueue: dlq,
      environment: { EXTRA: 'yes' },
    });
    const t = Template.fromStack(stack);

    it('is told the cluster, IAM auth and TLS, and gets the extra environment', () => {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Timeout: 30,
        Environment: {
          Variables: Match.objectLike({
            MSK_CLUSTER_ARN: FIXTURE_CLUSTER_ARN,
            KAFKA_AUTH: 'iam',
            KAFKA_TLS: 'true',
            TIMERS_TABLE: 'fixture-timers',
            EXTRA: 'yes',
          }),
        },
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } },
      });
    });

    it('may write its table and its topic, and nothing else of Kafka', () => {
      const statements = statementsOf(t);
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'kafka-cluster:WriteData']));
      expect(actions).not.toContain('kafka-cluster:ReadData');
      const publish = statements.find((s) => s.Sid === 'KafkaPublishTopics')!;
      expect(JSON.stringify(publish.Resource)).toContain('timer-events');
    });
  });
});
