/**
 * Central log stream: a CloudWatch Logs subscription filter on every service function's log group sends its
 * records to the log shipper, which publishes them to `system-logs`.
 *
 * Never subscribed: the shipper's own log group (each shipped batch would log and ship itself forever) and
 * the log sink's (the sink consumes `system-logs`, so shipping its logs would feed its own input).
 */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import { Construct } from 'constructs';

export interface LogShippingProps {
  readonly shipper: lambda.IFunction;
  /** Log groups to ship, keyed by the function's construct id. */
  readonly logGroups: Readonly<Record<string, logs.ILogGroup>>;
  /** @default all events */
  readonly filterPattern?: logs.IFilterPattern;
}

export class LogShipping extends Construct {
  public readonly filters: readonly logs.SubscriptionFilter[];

  constructor(scope: Construct, id: string, props: LogShippingProps) {
    super(scope, id);
    // Adds one invoke permission per log group, each limited to that log group's ARN.
    const destination = new LambdaDestination(props.shipper);
    this.filters = Object.entries(props.logGroups).map(([fnId, logGroup]) => {
      const filter = new logs.SubscriptionFilter(this, `${fnId}Logs`, {
        logGroup,
        destination,
        filterPattern: props.filterPattern ?? logs.FilterPattern.allEvents(),
        filterName: 'campusg-log-shipper',
      });
      return filter;
    });
  }
}
