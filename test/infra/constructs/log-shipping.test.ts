/**
 * Template test of LogShipping on a bare stack: one subscription filter per log group, all events, to the
 * shipper, and one invoke permission per log group limited to that group's ARN.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { LogShipping } from '#infra/constructs/log-shipping';
import { bareStack, plainFunction } from '#test/support/cdk-stack';

describe('LogShipping', () => {
  const stack = bareStack();
  const shipper = plainFunction(stack, 'Shipper');
  const logGroups = {
    OrderConsumer: new logs.LogGroup(stack, 'OrderLogs', { logGroupName: '/aws/lambda/order' }),
    PaymentConsumer: new logs.LogGroup(stack, 'PaymentLogs', { logGroupName: '/aws/lambda/payment' }),
  };
  const shipping = new LogShipping(stack, 'Shipping', { shipper, logGroups });
  const t = Template.fromStack(stack);

  it('subscribes the shipper to every log group it is given, for all events', () => {
    expect(shipping.filters).toHaveLength(2);
    t.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
    for (const group of ['OrderLogs', 'PaymentLogs']) {
      t.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
        LogGroupName: { Ref: Match.stringLikeRegexp(`^${group}`) },
        FilterPattern: '',
        FilterName: 'campusg-log-shipper',
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Shipper'), 'Arn'] },
      });
    }
  });

  it('lets CloudWatch Logs invoke the shipper only from those log groups', () => {
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
    expect(permissions).toHaveLength(2);
    for (const p of permissions) {
      expect(p).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'logs.amazonaws.com' });
      expect(p.SourceArn['Fn::GetAtt'][0]).toMatch(/^(OrderLogs|PaymentLogs)/);
    }
  });
});
