import { Kafka, logLevel } from 'kafkajs';
import { type Broker, startBroker } from '#local/kafka-broker/index';
import { completeEvent, parseEvent } from '#shared/contracts';
import { FIXTURES } from '#shared/contracts/fixtures';
import { KafkaPublisher, PublishError } from '#shared/kafka';

describe('KafkaPublisher against the embedded broker', () => {
  let broker: Broker;
  let publisher: KafkaPublisher;

  beforeAll(async () => {
    broker = await startBroker({
      port: 0,
      autoCreateTopics: false,
      topics: [
        { name: 'order-events', partitions: 3 },
        { name: 'escrow-events', partitions: 3 },
      ],
    });
    publisher = new KafkaPublisher('order', () => ({
      brokers: [broker.address],
      auth: 'none',
      tls: false,
      clientId: 'publisher-test',
    }));
  });

  afterAll(async () => {
    await publisher.disconnect();
    await broker.stop();
  });

  async function readAll(topic: string, expected: number) {
    const kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, sessionTimeout: 6000 });
    const seen: { key: string; partition: number; value: string; headers: Record<string, string> }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            seen.push({ key: String(message.key), partition, value: String(message.value), headers });
            if (seen.length >= expected) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return seen;
  }

  it('fills the envelope, keys by order id and publishes valid events', async () => {
    const draft = {
      type: 'ORDER_CREATED' as const,
      payload: { ...FIXTURES.ORDER_CREATED.payload, orderId: 'ord_pub1' },
    };
    const sent = await publisher.publish('order-events', draft, { headers: { traceparent: 't-1' } });
    expect(sent).toMatchObject({ type: 'ORDER_CREATED', source: 'order', correlationId: 'ord_pub1' });
    expect(sent.id).toBe(completeEvent(draft, 'order').id);

    const [message] = await readAll('order-events', 1);
    expect(message!.key).toBe('ord_pub1');
    expect(message!.headers).toEqual({ traceparent: 't-1' });
    expect(parseEvent(message!.value)).toEqual({ ok: true, event: sent });
  });

  it('republishes a complete event unchanged, byte for byte', async () => {
    const original = await publisher.publish('escrow-events', FIXTURES.FUNDS_HELD);
    const again = await publisher.publish('escrow-events', original);
    expect(again).toEqual(original);
    const messages = await readAll('escrow-events', 2);
    expect(messages[0]!.value).toBe(messages[1]!.value);
    expect(messages[0]!.partition).toBe(messages[1]!.partition);
  });

  it('reports an unknown topic as a PublishError naming the topic and event', async () => {
    const quick = new KafkaPublisher('order', () => ({
      brokers: [broker.address],
      auth: 'none',
      tls: false,
      clientId: 'publisher-test-missing',
    }));
    try {
      await expect(quick.publish('timer-events', FIXTURES.TIMER_STARTED)).rejects.toThrow(PublishError);
      await expect(quick.publish('timer-events', FIXTURES.TIMER_STARTED)).rejects.toThrow(
        /could not publish TIMER_STARTED evt-timer-started to timer-events/,
      );
    } finally {
      await quick.disconnect();
    }
  });
});
