// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, not JS templates
import { type CfnTemplate, IntrinsicResolver } from '#local/assembly/intrinsics';

const template: CfnTemplate = {
  Parameters: {
    Stage: { Type: 'String', Default: 'dev' },
    BootstrapVersion: {
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/cdk-bootstrap/hnb659fds/version',
    },
  },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
  },
  Mappings: { Sizes: { dev: { memory: 256 } } },
  Resources: {
    OrdersTable1A2B: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'campusg-dev-orders' } },
    UnnamedTable9F: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    OrderApiFunction12AB: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'campusg-dev-order-api' },
    },
    TimerFire77: { Type: 'AWS::Lambda::Function', Properties: {} },
    SchedulerRoleAB: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'campusg-scheduler' } },
    Cluster01: { Type: 'AWS::MSK::Cluster', Properties: {} },
    Logs01: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: '/aws/lambda/campusg-dev-order-api' },
    },
    Group01: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: 'campusg-dev-timers' } },
  },
};

const exportResolver = {
  importValue: (name: string) => (name === 'Data:TableName' ? 'imported-table' : `missing:${name}`),
};
const r = new IntrinsicResolver({
  stackName: 'CampusG-dev-Services',
  region: 'eu-west-1',
  template,
  exports: exportResolver,
});

describe('IntrinsicResolver', () => {
  it('resolves Ref to local physical names', () => {
    expect(r.resolve({ Ref: 'OrdersTable1A2B' })).toBe('campusg-dev-orders');
    expect(r.resolve({ Ref: 'UnnamedTable9F' })).toBe('CampusG-dev-Services-UnnamedTable9F');
    expect(r.resolve({ Ref: 'OrderApiFunction12AB' })).toBe('campusg-dev-order-api');
    expect(r.resolve({ Ref: 'Logs01' })).toBe('/aws/lambda/campusg-dev-order-api');
    expect(r.resolve({ Ref: 'Group01' })).toBe('campusg-dev-timers');
    expect(r.resolve({ Ref: 'Stage' })).toBe('dev');
    expect(r.resolve({ Ref: 'Cluster01' })).toMatch(/^arn:aws:kafka:eu-west-1:000000000000:cluster\//);
  });

  it('resolves pseudo parameters', () => {
    expect(
      r.resolve({
        'Fn::Join': [
          '|',
          [
            { Ref: 'AWS::Region' },
            { Ref: 'AWS::AccountId' },
            { Ref: 'AWS::Partition' },
            { Ref: 'AWS::URLSuffix' },
            { Ref: 'AWS::StackName' },
          ],
        ],
      }),
    ).toBe('eu-west-1|000000000000|aws|amazonaws.com|CampusG-dev-Services');
  });

  it('resolves Fn::GetAtt (both forms) to local ARNs', () => {
    expect(r.resolve({ 'Fn::GetAtt': ['OrderApiFunction12AB', 'Arn'] })).toBe(
      'arn:aws:lambda:eu-west-1:000000000000:function:campusg-dev-order-api',
    );
    expect(r.resolve({ 'Fn::GetAtt': 'TimerFire77.Arn' })).toBe(
      'arn:aws:lambda:eu-west-1:000000000000:function:CampusG-dev-Services-TimerFire77',
    );
    expect(r.resolve({ 'Fn::GetAtt': ['OrdersTable1A2B', 'Arn'] })).toBe(
      'arn:aws:dynamodb:eu-west-1:000000000000:table/campusg-dev-orders',
    );
    expect(r.resolve({ 'Fn::GetAtt': ['SchedulerRoleAB', 'Arn'] })).toBe(
      'arn:aws:iam::000000000000:role/campusg-scheduler',
    );
    expect(r.resolve({ 'Fn::GetAtt': ['Group01', 'Arn'] })).toBe(
      'arn:aws:scheduler:eu-west-1:000000000000:schedule-group/campusg-dev-timers',
    );
  });

  it('resolves Fn::Sub in both forms, with escapes', () => {
    expect(
      r.resolve({
        'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Logs01}',
      }),
    ).toBe('arn:aws:logs:eu-west-1:000000000000:log-group:/aws/lambda/campusg-dev-order-api');
    expect(r.resolve({ 'Fn::Sub': '${OrderApiFunction12AB.Arn}:live ${!Literal}' })).toBe(
      'arn:aws:lambda:eu-west-1:000000000000:function:campusg-dev-order-api:live ${Literal}',
    );
    expect(r.resolve({ 'Fn::Sub': ['${Name}-${Stage}', { Name: { Ref: 'OrdersTable1A2B' } }] })).toBe(
      'campusg-dev-orders-dev',
    );
  });

  it('resolves Fn::Select, Fn::Split, Fn::ImportValue, Fn::FindInMap, Fn::If and AWS::NoValue', () => {
    expect(r.resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(r.resolve({ 'Fn::ImportValue': 'Data:TableName' })).toBe('imported-table');
    expect(r.resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'memory'] })).toBe(256);
    expect(r.resolve({ 'Fn::If': ['IsProd', 'big', 'small'] })).toBe('small');
    expect(r.resolve({ 'Fn::If': ['NotProd', 'yes', 'no'] })).toBe('yes');
    expect(r.resolve({ A: 1, B: { 'Fn::If': ['IsProd', 2, { Ref: 'AWS::NoValue' }] } })).toEqual({ A: 1 });
    expect(r.resolve([1, { Ref: 'AWS::NoValue' }, 3])).toEqual([1, 3]);
  });

  it('fails clearly on unknown references', () => {
    expect(() => r.resolve({ Ref: 'Nope' })).toThrow(/Ref to unknown logical id Nope/);
  });
});
