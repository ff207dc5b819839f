/**
 * The DeadLetters metric the Observability stack alarms on (docs/conventions.md): one EMF line per dead
 * letter, metric `DeadLetters` (Count) in namespace `CampusG` with the `service` dimension. A renamed metric,
 * namespace or dimension would leave the alarm silent while records pile up in dead-letters.
 */
import { noMetrics, powertoolsConsumerMetrics } from '#shared/consumer/metrics';

/** What the code writes to stdout while `fn` runs (EMF lines go there, as in Lambda). */
function stdoutOf(fn: () => void): string[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter(Boolean);
}

describe('consumer metrics', () => {
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE;
  afterEach(() => {
    if (namespace === undefined) delete process.env.POWERTOOLS_METRICS_NAMESPACE;
    else process.env.POWERTOOLS_METRICS_NAMESPACE = namespace;
  });

  it('emits one DeadLetters EMF record per dead letter, in CampusG, by service', () => {
    delete process.env.POWERTOOLS_METRICS_NAMESPACE;
    const metrics = powertoolsConsumerMetrics('payment');
    const lines = stdoutOf(() => {
      metrics.deadLettered('NOT_JSON');
      metrics.deadLettered('REJECTED');
    });
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(JSON.parse(line)).toEqual({
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'CampusG',
              Dimensions: [['service']],
              Metrics: [{ Name: 'DeadLetters', Unit: 'Count' }],
            },
          ],
        },
        service: 'payment',
        DeadLetters: 1,
      });
    }
  });

  it('records nothing with noMetrics', () => {
    expect(stdoutOf(() => noMetrics.deadLettered('NOT_JSON'))).toEqual([]);
  });
});
