/**
 * Template test of TimerScheduler on a bare stack: the schedule group, a role only EventBridge Scheduler of
 * this account can assume that may invoke only the fire function, the timer consumer's rights on schedules
 * of that group and on passing that role, and the environment it hands the consumer.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TimerScheduler } from '#infra/constructs/timer-scheduler';
import { bareStack, plainFunction } from '#test/support/cdk-stack';

describe('TimerScheduler', () => {
  const stack = bareStack();
  const fire = plainFunction(stack, 'Fire');
  const consumer = plainFunction(stack, 'TimerConsumer');
  const timer = new TimerScheduler(stack, 'Timer', {
    scheduleGroupName: 'campusg-test-deadlines',
    fireFunction: fire,
    timerConsumer: consumer,
    orderAcceptTimeoutSeconds: 120,
  });
  const t = Template.fromStack(stack);
  const fireArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fire'), 'Arn'] };

  it('creates the schedule group under the conventions logical id', () => {
    expect(t.findResources('AWS::Scheduler::ScheduleGroup')).toEqual({
      TimerScheduleGroup: {
        Type: 'AWS::Scheduler::ScheduleGroup',
        Properties: { Name: 'campusg-test-deadlines' },
      },
    });
  });

  it('gives Scheduler of this account a role that may invoke only the fire function', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'InvokeFire',
          PolicyDocument: {
            Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: fireArn }],
          },
        },
      ],
    });
  });

  it('lets the consumer manage schedules of the group and pass that role to Scheduler only', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^TimerConsumerServiceRole') }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'ManageDeadlineSchedules',
            Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':scheduler:eu-west-1:123456789012:schedule/campusg-test-deadlines/*',
                ],
              ],
            },
          },
          {
            Sid: 'PassSchedulerRole',
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TimerSchedulerRole'), 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          },
        ],
      },
    });
  });

  it('hands the consumer the group, the role, the target and the timeout', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          SCHEDULE_GROUP_NAME: 'campusg-test-deadlines',
          SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TimerSchedulerRole'), 'Arn'] },
          TIMER_FIRE_FUNCTION_ARN: fireArn,
          ORDER_ACCEPT_TIMEOUT_SECONDS: '120',
        },
      },
    });
    expect(Object.keys(timer.consumerEnvironment)).toHaveLength(4);
  });
});
