/**
 * A small cloud assembly for the local IAM tests: two functions with execution roles written the way CDK
 * writes them (role + AWS::IAM::Policy attached by Ref, a managed policy ARN joined with the partition,
 * ARNs from Fn::GetAtt / Fn::Join / Fn::Split over the MSK cluster ARN), two tables, a scheduler role.
 *
 *   campusg-test-writer: DynamoDB Get/Put/Delete on `allowed-table` (DeleteItem also explicitly denied),
 *     CreateSchedule in group `grp` + iam:PassRole of the scheduler role to scheduler.amazonaws.com,
 *     GetBootstrapBrokers, Connect, WriteData/DescribeTopic on `allowed-topic`, DescribeTopic on
 *     `other-topic`; no consumer group; nothing else.
 *   campusg-test-nopass: CreateSchedule in `grp`, but iam:PassRole only to lambda.amazonaws.com; no Kafka.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const WRITER = 'campusg-test-writer';
export const NOPASS = 'campusg-test-nopass';
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const CLUSTER_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/campusg-local/00000000-0000-0000-0000-000000000000-1`;
export const STACK = 'IamTest';

const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const clusterPart = (i: number) => ({
  'Fn::Select': [i, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Cluster', 'Arn'] }] }],
});
const topicArn = (topic: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':kafka:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':topic/',
      clusterPart(1),
      '/',
      clusterPart(2),
      `/${topic}`,
    ],
  ],
});

const lambdaRole = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
    ManagedPolicyArns: [partitionArn(':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')],
  },
};

const fn = (name: string, role: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    FunctionName: name,
    Role: { 'Fn::GetAtt': [role, 'Arn'] },
    Handler: 'index.handler',
    Runtime: 'nodejs22.x',
    Code: { ZipFile: 'exports.handler = async () => ({})' },
  },
});

const table = (name: string) => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    TableName: name,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  },
});

export function template(): Record<string, unknown> {
  return {
    Resources: {
      Cluster: { Type: 'AWS::MSK::Cluster', Properties: { ClusterName: 'campusg' } },
      AllowedTable: table('allowed-table'),
      OtherTable: table('other-table'),
      SchedulerRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'scheduler.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
        },
      },
      WriterRole: lambdaRole,
      WriterPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'WriterPolicy',
          Roles: [{ Ref: 'WriterRole' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
                Resource: { 'Fn::GetAtt': ['AllowedTable', 'Arn'] },
              },
              { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: '*' },
              {
                Effect: 'Allow',
                Action: 'scheduler:CreateSchedule',
                Resource: partitionArn(`:scheduler:${REGION}:${ACCOUNT}:schedule/grp/*`),
              },
              {
                Effect: 'Allow',
                Action: 'iam:PassRole',
                Resource: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] },
                Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
              },
              { Effect: 'Allow', Action: 'kafka:GetBootstrapBrokers', Resource: '*' },
              {
                Effect: 'Allow',
                Action: 'kafka-cluster:Connect',
                Resource: { 'Fn::GetAtt': ['Cluster', 'Arn'] },
              },
              {
                Effect: 'Allow',
                Action: ['kafka-cluster:WriteData', 'kafka-cluster:DescribeTopic'],
                Resource: topicArn('allowed-topic'),
              },
              // may see other-topic's metadata, not write to it
              { Effect: 'Allow', Action: 'kafka-cluster:DescribeTopic', Resource: topicArn('other-topic') },
            ],
          },
        },
      },
      Writer: fn(WRITER, 'WriterRole'),
      NoPassRole: {
        ...lambdaRole,
        Properties: {
          ...lambdaRole.Properties,
          Policies: [
            {
              PolicyName: 'Schedules',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 'scheduler:CreateSchedule',
                    Resource: partitionArn(`:scheduler:${REGION}:${ACCOUNT}:schedule/grp/*`),
                  },
                  {
                    Effect: 'Allow',
                    Action: 'iam:PassRole',
                    Resource: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] },
                    Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
                  },
                ],
              },
            },
          ],
        },
      },
      NoPass: fn(NOPASS, 'NoPassRole'),
    },
  };
}

/** Writes the assembly into a new temp folder and returns its path. */
export function writeAssembly(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-iam-'));
  fs.writeFileSync(path.join(dir, `${STACK}.template.json`), JSON.stringify(template()));
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      version: '36.0.0',
      artifacts: {
        [STACK]: {
          type: 'aws:cloudformation:stack',
          environment: `aws://unknown-account/${REGION}`,
          properties: { templateFile: `${STACK}.template.json`, stackName: STACK },
        },
      },
    }),
  );
  return dir;
}
