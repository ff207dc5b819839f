/**
 * The Kafka event-source mapping controls, as the template states them, against the embedded broker:
 * MaximumRetryAttempts (exact invocation counts, -1 capped at 10 with a destination), partial batch
 * responses (ReportBatchItemFailures), MaximumRecordAgeInSeconds, FilterCriteria, the batching window and
 * the EventCount metrics.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { MskEvent, MskRecord } from '#local/core/msk-event';
import type { InvokeResult, Invoker, LocalEventSourceMapping } from '#local/core/types';
import { type Broker, startBroker } from '#local/kafka-broker/index';
import { KafkaEventSourceMapping } from '#local/runtime/esm';
import { FilterPatternError } from '#local/runtime/esm-filter';

const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:000000000000:cluster/campusg-local/0000-1';

const until = async (cond: () => boolean | Promise<boolean>, what: string, ms = 30_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met in time: ${what}`);
};

const text = (b64: string | null) => (b64 === null ? null : Buffer.from(b64, 'base64').toString());
const recordsOf = (event: unknown): MskRecord[] => Object.values((event as MskEvent).records).flat();

/** An invoker that records every event and answers with what `answer` returns. */
class ScriptedInvoker implements Invoker {
  readonly events: MskRecord[][] = [];
  constructor(
    private readonly answer: (records: MskRecord[], n: number) => InvokeResult | Promise<InvokeResult>,
  ) {}
  async invoke(_ref: string, event: unknown): Promise<InvokeResult> {
    const records = recordsOf(event);
    this.events.push(records);
    return this.answer(records, this.events.length);
  }
  /** How many invocations carried the record with this value. */
  invocationsOf(value: string): number {
    return this.events.filter((rs) => rs.some((r) => text(r.value) === value)).length;
  }
}

const ok = (payload: unknown = null): InvokeResult => ({ ok: true, payload, durationMs: 1 });
const fail = (): InvokeResult => ({
  ok: false,
  error: { errorType: 'TransientError', errorMessage: 'dynamodb throttled' },
  durationMs: 1,
});

describe('Kafka ESM controls against the embedded broker', () => {
  let broker: Broker;
  let kafka: Kafka;
  const started: KafkaEventSourceMapping[] = [];
  const topics = [
    'retry-n',
    'retry-0',
    'retry-infinite',
    'partial',
    'partial-invalid',
    'partial-off',
    'aged',
    'filtered',
    'window',
    'dead',
  ];

  beforeAll(async () => {
    broker = await startBroker({ port: 0, topics: topics.map((name) => ({ name, partitions: 1 })) });
    kafka = new Kafka({
      clientId: 'esm-controls-test',
      brokers: [broker.address],
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(async () => {
    await Promise.all(started.map((m) => m.stop()));
    await broker.stop();
  });

  const mapping = (topic: string, extra: Partial<LocalEventSourceMapping> = {}): LocalEventSourceMapping => ({
    logicalId: `${topic}-esm`,
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    topic,
    consumerGroupId: `group-${topic}`,
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: -1,
    bisectBatchOnFunctionError: false,
    ...extra,
  });

  const start = async (m: LocalEventSourceMapping, invoker: Invoker) => {
    const esm = new KafkaEventSourceMapping({
      mapping: m,
      invoker,
      brokers: [broker.address],
      eventSourceArn: CLUSTER_ARN,
      retryBackoffMs: { initial: 1, max: 5 },
    });
    started.push(esm);
    await esm.start();
    return esm;
  };

  const produce = async (
    topic: string,
    messages: { key?: string; value: string; timestamp?: string; headers?: Record<string, string> }[],
  ) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages });
    await producer.disconnect();
  };

  const committed = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId: `group-${topic}`, topics: [topic] });
      return Number(t!.partitions[0]!.offset);
    } finally {
      await admin.disconnect();
    }
  };

  /** Records the destination topic received so far, with their headers as text. */
  const deadLetters = async (minimum: number) => {
    // a short long-poll: disconnect waits for the fetch in flight, which would otherwise idle for 5 s
    const consumer = kafka.consumer({
      groupId: `dead-reader-${Math.random().toString(36).slice(2)}`,
      maxWaitTimeInMs: 100,
    });
    const seen: { key: string | null; value: string | null; headers: Record<string, string> }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'dead', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        seen.push({
          key: message.key === null ? null : String(message.key),
          value: message.value === null ? null : String(message.value),
          headers,
        });
      },
    });
    try {
      await until(() => seen.length >= minimum, `${minimum} record(s) on the destination`);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  };

  it('invokes a failing record exactly MaximumRetryAttempts + 1 times, then sends it on and commits past it', async () => {
    await produce('retry-n', [{ key: 'order-1', value: 'poison-n', headers: { traceparent: 'tp-1' } }]);
    const invoker = new ScriptedInvoker(() => fail());
    const esm = await start(
      mapping('retry-n', { maximumRetryAttempts: 2, onFailureDestination: 'kafka://dead' }),
      invoker,
    );
    await until(async () => (await committed('retry-n')) === 1, 'commit past the failed record');
    expect(invoker.invocationsOf('poison-n')).toBe(3);
    expect(esm.stats.onFailureDestinationDeliveredEventCount).toBe(1);
    const dead = (await deadLetters(1)).find((d) => d.value === 'poison-n')!;
    expect(dead).toMatchObject({
      key: 'order-1',
      headers: {
        traceparent: 'tp-1',
        'lambda-esm-condition': 'RetryAttemptsExhausted',
        'lambda-esm-approximate-invoke-count': '3',
        'lambda-esm-source-topic': 'retry-n',
        'lambda-esm-source-offset': '0',
        'lambda-esm-error-type': 'TransientError',
      },
    });
  });

  it('with MaximumRetryAttempts 0 invokes once and, with no destination, drops the record', async () => {
    await produce('retry-0', [{ value: 'poison-0' }, { value: 'next' }]);
    const invoker = new ScriptedInvoker((records) =>
      records.some((r) => text(r.value) === 'poison-0') ? fail() : ok(),
    );
    const esm = await start(mapping('retry-0', { maximumRetryAttempts: 0, batchSize: 1 }), invoker);
    await until(async () => (await committed('retry-0')) === 2, 'commit past both records');
    expect(invoker.invocationsOf('poison-0')).toBe(1);
    expect(invoker.invocationsOf('next')).toBe(1);
    expect(esm.stats.droppedEventCount).toBe(1);
  });

  it('caps infinite retries (-1) at 10 when an on-failure destination is set', async () => {
    await produce('retry-infinite', [{ value: 'poison-inf' }]);
    const invoker = new ScriptedInvoker(() => fail());
    await start(
      mapping('retry-infinite', { maximumRetryAttempts: -1, onFailureDestination: 'kafka://dead' }),
      invoker,
    );
    await until(async () => (await committed('retry-infinite')) === 1, 'commit after the capped retries');
    expect(invoker.invocationsOf('poison-inf')).toBe(11);
    const dead = (await deadLetters(2)).find((d) => d.value === 'poison-inf')!;
    expect(dead.headers['lambda-esm-approximate-invoke-count']).toBe('11');
  });

  it('commits up to the failed record of a partial batch response and retries from it', async () => {
    await produce(
      'partial',
      ['p0', 'p1', 'p2', 'p3', 'p4'].map((value) => ({ value })),
    );
    let committedAtRetry: number | undefined;
    const invoker = new ScriptedInvoker(async (records, n) => {
      if (n === 1) {
        // records 0 and 1 were processed; 2 failed (and with it the rest of the partition)
        return ok({
          batchItemFailures: records
            .filter((r) => r.offset >= 2)
            .map((r) => ({ itemIdentifier: { partition: `${r.topic}-${r.partition}`, offset: r.offset } })),
        });
      }
      committedAtRetry = await committed('partial');
      return ok({ batchItemFailures: [] });
    });
    const esm = await start(
      mapping('partial', { functionResponseTypes: ['ReportBatchItemFailures'], maximumRetryAttempts: 3 }),
      invoker,
    );
    await until(async () => (await committed('partial')) === 5, 'commit of the whole partition');
    expect(invoker.events.map((rs) => rs.map((r) => r.offset))).toEqual([
      [0, 1, 2, 3, 4],
      [2, 3, 4],
    ]);
    expect(committedAtRetry).toBe(2);
    expect(esm.stats.recordsDelivered).toBe(5);
  });

  it('fails the whole batch when an itemIdentifier names no record of it', async () => {
    await produce('partial-invalid', [{ value: 'a' }, { value: 'b' }]);
    const invoker = new ScriptedInvoker((records, n) =>
      n === 1
        ? ok({ batchItemFailures: [{ itemIdentifier: `${records[0]!.topic}-0-1` }] })
        : ok({ batchItemFailures: [] }),
    );
    await start(mapping('partial-invalid', { functionResponseTypes: ['ReportBatchItemFailures'] }), invoker);
    await until(async () => (await committed('partial-invalid')) === 2, 'commit after the retry');
    expect(invoker.events.map((rs) => rs.map((r) => r.offset))).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('ignores batchItemFailures when the mapping does not report them, as Lambda does', async () => {
    await produce('partial-off', [{ value: 'x' }, { value: 'y' }]);
    const invoker = new ScriptedInvoker((records) =>
      ok({
        batchItemFailures: [{ itemIdentifier: { partition: 'partial-off-0', offset: records[0]!.offset } }],
      }),
    );
    await start(mapping('partial-off'), invoker);
    await until(async () => (await committed('partial-off')) === 2, 'commit of both records');
    expect(invoker.events).toHaveLength(1);
  });

  it('sends a record older than MaximumRecordAgeInSeconds to the destination without invoking', async () => {
    const old = String(Date.now() - 5 * 60_000);
    await produce('aged', [
      { key: 'order-old', value: 'stale', timestamp: old },
      { key: 'order-new', value: 'fresh' },
    ]);
    const invoker = new ScriptedInvoker(() => ok());
    const esm = await start(
      mapping('aged', { maximumRecordAgeInSeconds: 60, onFailureDestination: 'kafka://dead' }),
      invoker,
    );
    await until(async () => (await committed('aged')) === 2, 'commit past both records');
    expect(invoker.invocationsOf('stale')).toBe(0);
    expect(invoker.invocationsOf('fresh')).toBe(1);
    expect(esm.stats.onFailureDestinationDeliveredEventCount).toBe(1);
    const dead = (await deadLetters(3)).find((d) => d.value === 'stale')!;
    expect(dead).toMatchObject({
      key: 'order-old',
      headers: {
        'lambda-esm-condition': 'RecordAgeExceeded',
        'lambda-esm-source-topic': 'aged',
        'lambda-esm-source-offset': '0',
        'lambda-esm-source-timestamp': old,
        'lambda-esm-approximate-invoke-count': '0',
      },
    });
  });

  it('drops the records no filter pattern matches, commits past them and counts them', async () => {
    await produce('filtered', [
      {
        key: JSON.stringify({ region: 'north' }),
        value: JSON.stringify({ type: 'ORDER_CREATED', total: 900 }),
      },
      { value: JSON.stringify({ type: 'ORDER_ACCEPTED', total: 900 }) },
      { value: 'not json' },
      { value: JSON.stringify({ type: 'ORDER_CREATED', total: 90 }) },
    ]);
    const invoker = new ScriptedInvoker(() => ok());
    const esm = await start(
      mapping('filtered', {
        filterPatterns: [
          JSON.stringify({ value: { type: ['ORDER_CREATED'], total: [{ numeric: ['>=', 500] }] } }),
          JSON.stringify({ value: [{ prefix: 'not' }] }),
        ],
        metrics: ['EventCount'],
      }),
      invoker,
    );
    await until(async () => (await committed('filtered')) === 4, 'commit past every record');
    expect(invoker.events.flat().map((r) => r.offset)).toEqual([0, 2]);
    expect(esm.metrics()).toEqual({
      EventCount: {
        PolledEventCount: 4,
        FilteredOutEventCount: 2,
        InvokedEventCount: 2,
        FailedInvokeEventCount: 0,
        DroppedEventCount: 0,
        OnFailureDestinationDeliveredEventCount: 0,
      },
    });
  });

  it('refuses a filter operator it cannot emulate, naming it', () => {
    expect(
      () =>
        new KafkaEventSourceMapping({
          mapping: mapping('filtered', { filterPatterns: ['{"value":{"type":[{"wildcard":"ORDER_*"}]}}'] }),
          invoker: new ScriptedInvoker(() => ok()),
          brokers: [broker.address],
          eventSourceArn: CLUSTER_ARN,
        }),
    ).toThrow(FilterPatternError);
  });

  it('holds a partial batch for the batching window and sends it once the batch is full', async () => {
    const invoker = new ScriptedInvoker(() => ok());
    const esm = await start(mapping('window', { batchSize: 2, maximumBatchingWindowInSeconds: 60 }), invoker);
    await produce('window', [{ value: 'first' }]);
    await until(() => esm.queued() === 1, 'the first record waiting in its lane');
    expect(invoker.events).toHaveLength(0);
    await produce('window', [{ value: 'second' }]);
    await until(() => invoker.events.length === 1, 'one invocation');
    expect(invoker.events[0]!.map((r) => text(r.value))).toEqual(['first', 'second']);
  });
});
