/**
 * A CloudWatch dashboard and the alarms an operator needs: ESM offset lag per consumer, errors and throttles
 * per function, dead-letter activity per consumer service (the `DeadLetters` metric handlers emit in
 * namespace `CampusG` with dimension `service`), and API 5xx and latency.
 *
 * Functions are referenced by physical name, so this construct can live in its own stack without exports.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

export interface MonitoredFunction {
  /** Construct id, e.g. `OrderConsumer`. */
  readonly id: string;
  readonly functionName: string;
  readonly service: string;
  /** True for functions fed by MSK event-source mappings. */
  readonly consumer: boolean;
}

export interface MonitoringProps {
  readonly dashboardName: string;
  readonly functions: readonly MonitoredFunction[];
  /** HTTP API id and stage for the API widgets and alarms. */
  readonly apiId: string;
  /** Offset lag (records) above which a consumer alarms. @default 1000 */
  readonly offsetLagThreshold?: number;
  /** API p99 latency (ms) above which the API alarms. @default 2000 */
  readonly latencyThresholdMs?: number;
}

export const DEAD_LETTER_METRIC = {
  namespace: 'CampusG',
  metricName: 'DeadLetters',
  dimension: 'service',
} as const;

export class Monitoring extends Construct {
  public readonly dashboard: cw.Dashboard;
  public readonly alarms: readonly cw.Alarm[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const alarms: cw.Alarm[] = [];
    // Labels only on dashboard lines: a labelled metric turns an alarm into a metric-math alarm.
    const lambdaMetric = (fn: MonitoredFunction, metricName: string, statistic: string, labelled = true) =>
      new cw.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: fn.functionName },
        statistic,
        period,
        label: labelled ? fn.id : undefined,
      });
    const apiMetric = (metricName: string, statistic: string) =>
      new cw.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.apiId },
        statistic,
        period,
      });
    const alarm = (alarmId: string, metric: cw.IMetric, threshold: number, description: string) => {
      const a = new cw.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
      alarms.push(a);
      return a;
    };

    const consumers = props.functions.filter((f) => f.consumer);
    const consumerServices = [...new Set(consumers.map((f) => f.service))];
    const deadLetters = (service: string, labelled = true) =>
      new cw.Metric({
        namespace: DEAD_LETTER_METRIC.namespace,
        metricName: DEAD_LETTER_METRIC.metricName,
        dimensionsMap: { [DEAD_LETTER_METRIC.dimension]: service },
        statistic: 'Sum',
        period,
        label: labelled ? service : undefined,
      });

    for (const fn of props.functions) {
      alarm(
        `${fn.id}Errors`,
        lambdaMetric(fn, 'Errors', 'Sum', false),
        1,
        `${fn.functionName} returned errors`,
      );
      alarm(
        `${fn.id}Throttles`,
        lambdaMetric(fn, 'Throttles', 'Sum', false),
        1,
        `${fn.functionName} was throttled`,
      );
    }
    for (const fn of consumers) {
      alarm(
        `${fn.id}OffsetLag`,
        lambdaMetric(fn, 'OffsetLag', 'Maximum', false),
        props.offsetLagThreshold ?? 1000,
        `${fn.functionName} is falling behind its topics (ESM offset lag)`,
      );
    }
    for (const service of consumerServices) {
      alarm(
        `DeadLetters${pascal(service)}`,
        deadLetters(service, false),
        1,
        `${service} sent records to the dead-letter topic`,
      );
    }
    alarm('Api5xx', apiMetric('5xx', 'Sum'), 5, 'The HTTP API answered 5xx');
    alarm(
      'ApiLatency',
      apiMetric('Latency', 'p99'),
      props.latencyThresholdMs ?? 2000,
      'HTTP API p99 latency is above the threshold',
    );
    this.alarms = alarms;

    this.dashboard = new cw.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'API requests and errors',
        left: [apiMetric('Count', 'Sum'), apiMetric('4xx', 'Sum'), apiMetric('5xx', 'Sum')],
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'API latency (ms)',
        left: [
          apiMetric('Latency', 'p50'),
          apiMetric('Latency', 'p99'),
          apiMetric('IntegrationLatency', 'p99'),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'ESM offset lag (max)',
        left: consumers.map((f) => lambdaMetric(f, 'OffsetLag', 'Maximum')),
        width: 12,
      }),
      new cw.GraphWidget({
        title: 'Dead letters by service',
        left: consumerServices.map((s) => deadLetters(s)),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Invocations',
        left: props.functions.map((f) => lambdaMetric(f, 'Invocations', 'Sum')),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Errors and throttles',
        left: props.functions.map((f) => lambdaMetric(f, 'Errors', 'Sum')),
        right: props.functions.map((f) => lambdaMetric(f, 'Throttles', 'Sum')),
        width: 8,
      }),
      new cw.GraphWidget({
        title: 'Duration p99 (ms)',
        left: props.functions.map((f) => lambdaMetric(f, 'Duration', 'p99')),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(new cw.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));
  }
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}
