import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEAD_LETTER_TOPIC } from '#shared/topology';
import { ALL_FUNCTIONS, type Names } from '../catalogue';
import type { ClusterMode } from '../config';
import { type MonitoredMapping, Monitoring } from '../constructs/monitoring';

export interface ObservabilityStackProps extends StackProps {
  readonly names: Names;
  /** The HTTP API id (from the services stack). */
  readonly apiId: string;
  /** The event-source mappings (ids from the services stack). @default none */
  readonly mappings?: readonly MonitoredMapping[];
  readonly clusterName: string;
  readonly clusterMode: ClusterMode;
  readonly brokerCount: number;
  /** Mailed on every alarm. @default none */
  readonly alarmEmail?: string;
}

/** Dashboard, alarms and the SNS topic they notify. */
export class ObservabilityStack extends Stack {
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { names } = props;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      dashboardName: `${names.prefix}-backbone`,
      alarmTopicName: `${names.prefix}-alarms`,
      alarmEmail: props.alarmEmail,
      apiId: props.apiId,
      mappings: props.mappings,
      kafka: {
        clusterName: props.clusterName,
        mode: props.clusterMode,
        brokerCount: props.brokerCount,
        deadLetterTopic: DEAD_LETTER_TOPIC,
      },
      functions: ALL_FUNCTIONS.map((f) => ({
        id: f.id,
        functionName: names.functionName(f.id),
        service: f.service,
        consumer: f.consumes.length > 0,
      })),
    });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn });
  }
}
