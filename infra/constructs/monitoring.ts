/**
 * A CloudWatch dashboard and the alarms an operator needs: ESM offset lag per consumer, errors and throttles
 * per function, dead-letter activity per consumer service (the `DeadLetters` metric handlers emit in
 * namespace `CampusG` with dimension `service`), any record arriving in the dead-letter topic whoever wrote
 * it (the mappings' own on-failure records included: the broker's per-topic `BytesInPerSec`), and API 5xx
 * and latency. Every alarm notifies one SNS topic, which mails `alarmEmail` when given.
 *
 * Functions are referenced by physical name; the event-source mappings by id (their MetricsConfig metrics
 * carry the dimension `EventSourceMappingUUID`).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface MonitoredFunction {
  /** Construct id, e.g. `OrderConsumer`. */
  readonly id: string;
  readonly functionName: string;
  readonly service: string;
  /** True for functions fed by MSK event-source mappings. */
  readonly consumer: boolean;
}

/** One event-source mapping, for the dashboard's MetricsConfig widget. */
export interface MonitoredMapping {
  /** e.g. `payment <- order-events`. */
  readonly label: string;
  /** The mapping's UUID (`Ref` of the AWS::Lambda::EventSourceMapping). */
  readonly mappingId: string;
}

export interface MonitoringProps {
  readonly dashboardName: string;
  /** Name of the SNS topic every alarm notifies. */
  readonly alarmTopicName: string;
  /** Mailed on every alarm (the address confirms the subscription once). @default no subscription */
  readonly alarmEmail?: string;
  readonly functions: readonly MonitoredFunction[];
  /** Event-source mappings whose MetricsConfig metrics the dashboard draws. @default none */
  readonly mappings?: readonly MonitoredMapping[];
  /** The Kafka cluster, for the dead-letter topic's broker metrics. */
  readonly kafka: {
    readonly clusterName: string;
    readonly mode: 'provisioned' | 'serverless';
    /** Provisioned: broker ids are 1..brokerCount. */
    readonly brokerCount: number;
    readonly deadLetterTopic: string;
  };
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
  /** The topic every alarm notifies. */
  public readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const alarms: cw.Alarm[] = [];
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: props.alarmTopicName,
      displayName: 'CampusG alarms',
      enforceSSL: true,
    });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry no data beyond alarm names; CloudWatch can publish to an encrypted topic only with a customer managed key, not worth its monthly cost here.',
    });
    if (props.alarmEmail) {
      const email = this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      Validations.of(email).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail that cannot be delivered leaves nothing to replay: the alarm itself stays in ALARM in CloudWatch and on the dashboard.',
      });
    }
    const notify = new cwActions.SnsAction(this.alarmTopic);
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
    const alarm = (
      alarmId: string,
      metric: cw.IMetric,
      threshold: number,
      description: string,
      comparisonOperator = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) => {
      const a = new cw.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(notify);
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
    // Any record in the dead-letter topic, whoever wrote it: a handler's own dead letter or a mapping's
    // on-failure record after its retries (the latter bypasses the handlers' DeadLetters metric).
    const { kafka } = props;
    const topicBytesIn = (brokerId?: number) =>
      new cw.Metric({
        namespace: 'AWS/Kafka',
        metricName: 'BytesInPerSec',
        dimensionsMap: {
          'Cluster Name': kafka.clusterName,
          ...(brokerId !== undefined ? { 'Broker ID': String(brokerId) } : {}),
          Topic: kafka.deadLetterTopic,
        },
        statistic: 'Maximum',
        period,
      });
    const deadLetterIn: cw.IMetric =
      kafka.mode === 'serverless'
        ? topicBytesIn()
        : new cw.MathExpression({
            // MSK's DEFAULT monitoring level reports per-topic bytes per broker; the leader may move, so sum all.
            expression: Array.from({ length: kafka.brokerCount }, (_, i) => `b${i + 1}`).join(' + '),
            usingMetrics: Object.fromEntries(
              Array.from({ length: kafka.brokerCount }, (_, i) => [`b${i + 1}`, topicBytesIn(i + 1)]),
            ),
            label: `${kafka.deadLetterTopic} bytes in/s`,
            period,
          });
    alarm(
      'DeadLetterTopicWrites',
      deadLetterIn,
      0,
      `records arrived in ${kafka.deadLetterTopic} (from a handler or a mapping's on-failure destination): read them with \`campusg consume ${kafka.deadLetterTopic} --target aws\``,
      cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
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
    const mappings = props.mappings ?? [];
    if (mappings.length > 0) {
      // Every metric MetricsConfig turns on (event counts, errors, Kafka lag) of each mapping, by its UUID.
      const search = (m: MonitoredMapping) =>
        new cw.MathExpression({
          expression: `SEARCH('{AWS/Lambda,EventSourceMappingUUID} EventSourceMappingUUID="${m.mappingId}"', 'Sum', 300)`,
          usingMetrics: {},
          label: m.label,
          period,
        });
      this.dashboard.addWidgets(
        new cw.GraphWidget({
          title: 'Event-source mappings (MetricsConfig: events, errors, Kafka lag)',
          left: mappings.map(search),
          width: 24,
          height: 8,
        }),
      );
    }
    this.dashboard.addWidgets(
      new cw.GraphWidget({ title: `${kafka.deadLetterTopic}: bytes in/s`, left: [deadLetterIn], width: 24 }),
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
