import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ALL_FUNCTIONS, type Names } from '../catalogue';
import { Monitoring } from '../constructs/monitoring';

export interface ObservabilityStackProps extends StackProps {
  readonly names: Names;
  /** The HTTP API id (from the services stack). */
  readonly apiId: string;
}

/** Dashboard and alarms. */
export class ObservabilityStack extends Stack {
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { names } = props;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      dashboardName: `${names.prefix}-backbone`,
      apiId: props.apiId,
      functions: ALL_FUNCTIONS.map((f) => ({
        id: f.id,
        functionName: names.functionName(f.id),
        service: f.service,
        consumer: f.consumes.length > 0,
      })),
    });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
