/**
 * Acceptance deadlines on EventBridge Scheduler: a schedule group, an execution role that only the
 * Scheduler service can assume and that may invoke only the timer's fire function, and the rights the timer
 * consumer needs to manage one-time schedules in that group and hand that role (and no other) to Scheduler.
 */
import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

export interface TimerSchedulerProps {
  readonly scheduleGroupName: string;
  /** The Scheduler target: the timer's fire function. */
  readonly fireFunction: lambda.IFunction;
  /** The timer consumer that creates and deletes schedules; it receives the environment below. */
  readonly timerConsumer: lambda.Function;
  /** Seconds an order waits for a runner. */
  readonly orderAcceptTimeoutSeconds: number;
}

export class TimerScheduler extends Construct {
  public readonly scheduleGroup: scheduler.CfnScheduleGroup;
  public readonly schedulerRole: iam.Role;
  /** Environment the timer consumer needs (docs/conventions.md). */
  public readonly consumerEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: TimerSchedulerProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.scheduleGroup = new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', {
      name: props.scheduleGroupName,
    });
    this.scheduleGroup.overrideLogicalId('TimerScheduleGroup');

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the CampusG timer fire function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      inlinePolicies: {
        InvokeFire: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['lambda:InvokeFunction'],
              resources: [props.fireFunction.functionArn],
            }),
          ],
        }),
      },
    });

    const scheduleArns = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${props.scheduleGroupName}/*`,
    });
    const consumerPolicy = new iam.Policy(this, 'TimerConsumerSchedules', {
      statements: [
        new iam.PolicyStatement({
          sid: 'ManageDeadlineSchedules',
          actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
          resources: [scheduleArns],
        }),
        new iam.PolicyStatement({
          sid: 'PassSchedulerRole',
          actions: ['iam:PassRole'],
          resources: [this.schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ],
    });
    props.timerConsumer.role!.attachInlinePolicy(consumerPolicy);
    consumerPolicy.node.addDependency(this.scheduleGroup);

    Validations.of(consumerPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${props.scheduleGroupName}/*]`,
      reason:
        'One schedule per order, named at run time; the wildcard is confined to the CampusG schedule group and to create/get/delete.',
    });

    this.consumerEnvironment = {
      SCHEDULE_GROUP_NAME: props.scheduleGroupName,
      SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      TIMER_FIRE_FUNCTION_ARN: props.fireFunction.functionArn,
      ORDER_ACCEPT_TIMEOUT_SECONDS: String(props.orderAcceptTimeoutSeconds),
    };
    for (const [key, value] of Object.entries(this.consumerEnvironment))
      props.timerConsumer.addEnvironment(key, value);
  }
}
