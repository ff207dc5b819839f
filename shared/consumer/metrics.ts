import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Where a consumer counts what it dead-letters. Tests pass a recording implementation. */
export interface ConsumerMetrics {
  deadLettered(reason: string): void;
}

let metrics: Metrics | undefined;

/**
 * Powertools metrics (EMF in the function log): `DeadLetters` in namespace `CampusG` (or
 * POWERTOOLS_METRICS_NAMESPACE) with the `service` dimension, emitted immediately per dead letter.
 */
export function powertoolsConsumerMetrics(service: string): ConsumerMetrics {
  return {
    deadLettered() {
      metrics ??= new Metrics({
        namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'CampusG',
        serviceName: service,
      });
      metrics.singleMetric().addMetric('DeadLetters', MetricUnit.Count, 1);
    },
  };
}

export const noMetrics: ConsumerMetrics = { deadLettered() {} };
