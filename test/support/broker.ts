/**
 * The embedded Kafka-protocol broker for handler tests: handlers publish through a real `KafkaPublisher`
 * (kafkajs underneath, `acks: -1`) and the tests read the topics back with kafkajs, as any consumer would.
 */
import { Kafka, logLevel } from 'kafkajs';
import { type Broker, startBroker } from '#local/kafka-broker/index';
import { type AnyEvent, type ParseResult, parseEvent } from '#shared/contracts';
import { KafkaPublisher } from '#shared/kafka';
import { TOPICS, type TopicName } from '#shared/topology';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// kafkajs' own log lines (retries during an injected outage) go through Powertools; keep them out of test output.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

/** One record as a consumer reads it back from the broker. */
export interface BrokerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The value parsed with the contracts, exactly as a consumer of the topic would parse it. */
  readonly parsed: ParseResult;
}

export interface TestBroker {
  readonly broker: Broker;
  /** `host:port` of the broker. */
  readonly address: string;
  /** A real publisher of `source` pointed at this broker (disconnected by `stop`). */
  publisher(source: string): KafkaPublisher;
  /** Every record on `topic` now, read with a kafkajs consumer from the beginning, by partition then offset. */
  read(topic: TopicName): Promise<BrokerRecord[]>;
  /** The valid events on `topic` whose correlation id is `orderId`, in offset order per partition. */
  eventsOf(topic: TopicName, orderId: string): Promise<AnyEvent[]>;
  stop(): Promise<void>;
}

/** Starts the broker on a free port with every topic of the topology (their partition counts). */
export async function startTestBroker(): Promise<TestBroker> {
  const broker = await startBroker({
    port: 0,
    host: '127.0.0.1',
    autoCreateTopics: false,
    topics: TOPICS.map((t) => ({ name: t.name, partitions: t.partitions })),
  });
  const kafka = new Kafka({
    clientId: 'handler-test-reader',
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 500 },
  });
  const publishers: KafkaPublisher[] = [];
  let readers = 0;

  async function read(topic: TopicName): Promise<BrokerRecord[]> {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const high = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
    const total = [...high.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return [];
    const records: BrokerRecord[] = [];
    const consumer = kafka.consumer({
      groupId: `handler-test-reader-${process.pid}-${++readers}`,
      maxWaitTimeInMs: 50,
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      let done: () => void = () => {};
      const complete = new Promise<void>((resolve) => {
        done = resolve;
      });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const offset = Number(message.offset);
          if (offset >= (high.get(partition) ?? 0)) return;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          const value = message.value?.toString('utf8') ?? null;
          records.push({
            topic,
            partition,
            offset,
            key: message.key?.toString('utf8') ?? null,
            value,
            headers,
            parsed: parseEvent(value ?? 'null'),
          });
          if (records.length >= total) done();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        complete,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`read ${records.length} of ${total} records on ${topic}`)),
            15_000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
    } finally {
      await consumer.disconnect();
    }
    return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  return {
    broker,
    address: broker.address,
    publisher(source) {
      const publisher = new KafkaPublisher(source, () => ({
        brokers: [broker.address],
        auth: 'none',
        tls: false,
        clientId: `${source}-handler-test`,
      }));
      publishers.push(publisher);
      return publisher;
    },
    read,
    async eventsOf(topic, orderId) {
      return (await read(topic)).flatMap((r) =>
        r.parsed.ok && r.parsed.event.correlationId === orderId ? [r.parsed.event] : [],
      );
    },
    async stop() {
      await Promise.all(publishers.map((p) => p.disconnect().catch(() => {})));
      await broker.stop();
    },
  };
}
