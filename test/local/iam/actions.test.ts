/**
 * The IAM checks each AWS request needs (action, resource ARN, condition keys), and the MSK IAM action and
 * ARN of each Kafka ACL check: pure mappings, checked against the shapes the SDK sends.
 */
import {
  dynamoDbChecks,
  kafkaChecks,
  lambdaChecks,
  lambdaFunctionArn,
  logsChecks,
  schedulerChecks,
} from '#local/iam/actions';
import { mskIamCall } from '#local/iam/kafka-authorizer';

const c = { region: 'eu-west-1', accountId: '111122223333' };
const table = (t: string) => `arn:aws:dynamodb:eu-west-1:111122223333:table/${t}`;
const rest = (method: string, path: string, body: Record<string, unknown> = {}, query = '') => ({
  method,
  segments: path.split('/').filter(Boolean),
  query: new URLSearchParams(query),
  body,
});

describe('DynamoDB checks', () => {
  it('name the table, or the index for a Query on an index', () => {
    expect(dynamoDbChecks('PutItem', { TableName: 'orders' }, c)).toEqual([
      { action: 'dynamodb:PutItem', resource: table('orders') },
    ]);
    expect(dynamoDbChecks('Query', { TableName: 'orders', IndexName: 'byUser' }, c)).toEqual([
      { action: 'dynamodb:Query', resource: `${table('orders')}/index/byUser` },
    ]);
  });

  it('check every table of a batch and every item of a transaction with its own action', () => {
    expect(dynamoDbChecks('BatchWriteItem', { RequestItems: { a: [], b: [] } }, c)).toEqual([
      { action: 'dynamodb:BatchWriteItem', resource: table('a') },
      { action: 'dynamodb:BatchWriteItem', resource: table('b') },
    ]);
    const items = [
      { Put: { TableName: 'a' } },
      { Update: { TableName: 'b' } },
      { ConditionCheck: { TableName: 'c' } },
      { Delete: { TableName: 'a' } },
    ];
    expect(dynamoDbChecks('TransactWriteItems', { TransactItems: items }, c).map((x) => x.action)).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
    ]);
  });

  it('use "*" for account-wide operations and read PartiQL statements', () => {
    expect(dynamoDbChecks('ListTables', {}, c)).toEqual([{ action: 'dynamodb:ListTables', resource: '*' }]);
    expect(
      dynamoDbChecks('ExecuteStatement', { Statement: 'SELECT * FROM "orders" WHERE pk = ?' }, c),
    ).toEqual([{ action: 'dynamodb:PartiQLSelect', resource: table('orders') }]);
  });
});

describe('Scheduler checks', () => {
  it('add iam:PassRole with iam:PassedToService to CreateSchedule and UpdateSchedule', () => {
    const body = {
      GroupName: 'timers',
      Target: { Arn: 'arn:fn', RoleArn: 'arn:aws:iam::111122223333:role/r' },
    };
    for (const [method, op] of [
      ['POST', 'CreateSchedule'],
      ['PUT', 'UpdateSchedule'],
    ] as const) {
      expect(schedulerChecks(rest(method, '/schedules/s1', body), c)).toEqual([
        {
          action: `scheduler:${op}`,
          resource: 'arn:aws:scheduler:eu-west-1:111122223333:schedule/timers/s1',
        },
        {
          action: 'iam:PassRole',
          resource: 'arn:aws:iam::111122223333:role/r',
          context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
        },
      ]);
    }
  });

  it('read the group of Get/Delete from the query, default group otherwise', () => {
    expect(schedulerChecks(rest('DELETE', '/schedules/s1', {}, 'groupName=timers'), c)).toEqual([
      {
        action: 'scheduler:DeleteSchedule',
        resource: 'arn:aws:scheduler:eu-west-1:111122223333:schedule/timers/s1',
      },
    ]);
    expect(schedulerChecks(rest('GET', '/schedules/s1'), c)[0]!.resource).toMatch(/schedule\/default\/s1$/);
  });
});

describe('Lambda, Logs and MSK checks', () => {
  it('resolve function names, partial ARNs and qualifiers to the function ARN', () => {
    const fn = 'arn:aws:lambda:eu-west-1:111122223333:function:fire';
    expect(lambdaFunctionArn('fire', null, c)).toBe(fn);
    expect(lambdaFunctionArn('111122223333:function:fire', null, c)).toBe(fn);
    expect(lambdaFunctionArn(fn, 'live', c)).toBe(`${fn}:live`);
    expect(lambdaChecks(rest('POST', '/2015-03-31/functions/fire/invocations'), c)).toEqual([
      { action: 'lambda:InvokeFunction', resource: fn },
    ]);
  });

  it('name the log stream for PutLogEvents and the log group otherwise', () => {
    expect(logsChecks('PutLogEvents', { logGroupName: 'g', logStreamName: 's' }, c)).toEqual([
      {
        action: 'logs:PutLogEvents',
        resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:g:log-stream:s',
      },
    ]);
    expect(logsChecks('FilterLogEvents', { logGroupName: 'g' }, c)).toEqual([
      { action: 'logs:FilterLogEvents', resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:g' },
    ]);
  });

  it('map GetBootstrapBrokers to its cluster', () => {
    const arn = 'arn:aws:kafka:eu-west-1:111122223333:cluster/c/u-1';
    // the server splits the path before decoding, so the ARN (sent percent-encoded) is one segment
    const req = { ...rest('GET', '/'), segments: ['v1', 'clusters', arn, 'bootstrap-brokers'] };
    expect(kafkaChecks(req)).toEqual([{ action: 'kafka:GetBootstrapBrokers', resource: arn }]);
  });
});

describe('Kafka ACL checks as MSK IAM calls', () => {
  const cluster = 'arn:aws:kafka:eu-west-1:111122223333:cluster/campusg/abc-1';
  it('use the topic and group ARNs of the cluster name and UUID', () => {
    expect(mskIamCall(cluster, 'Write', { type: 'topic', name: 'order-events' })).toEqual({
      action: 'kafka-cluster:WriteData',
      resource: 'arn:aws:kafka:eu-west-1:111122223333:topic/campusg/abc-1/order-events',
    });
    expect(mskIamCall(cluster, 'Read', { type: 'group', name: 'g1' })).toEqual({
      action: 'kafka-cluster:AlterGroup',
      resource: 'arn:aws:kafka:eu-west-1:111122223333:group/campusg/abc-1/g1',
    });
    expect(mskIamCall(cluster, 'Describe', { type: 'group', name: 'g1' }).action).toBe(
      'kafka-cluster:DescribeGroup',
    );
    expect(mskIamCall(cluster, 'Read', { type: 'topic', name: 't' }).action).toBe('kafka-cluster:ReadData');
    expect(mskIamCall(cluster, 'DescribeConfigs', { type: 'cluster', name: 'kafka-cluster' })).toEqual({
      action: 'kafka-cluster:DescribeClusterDynamicConfiguration',
      resource: cluster,
    });
  });

  it('refuses a cluster ARN that is not one', () => {
    expect(() =>
      mskIamCall('arn:aws:kafka:eu-west-1:1:topic/x', 'Write', { type: 'topic', name: 't' }),
    ).toThrow(/is not an MSK cluster ARN/);
  });
});
