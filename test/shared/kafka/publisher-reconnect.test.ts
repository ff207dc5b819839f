/**
 * The publisher replaces its producer before MSK IAM sessions can expire (shared/kafka/publisher.ts,
 * MSK_IAM_RECONNECT_MS), against the embedded broker. A counting TCP proxy in front of the bootstrap
 * address shows each new producer connection: kafkajs bootstraps every fresh connect through it.
 */
import * as net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { type Broker, startBroker } from '#local/kafka-broker/index';
import { FIXTURES } from '#shared/contracts/fixtures';
import { KafkaPublisher, MSK_IAM_RECONNECT_MS } from '#shared/kafka/publisher';

function countingProxy(
  target: string,
): Promise<{ address: string; accepted: () => number; close: () => void }> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.slice(target.lastIndexOf(':') + 1)),
  ];
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        accepted: () => accepted,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

describe('KafkaPublisher connection age', () => {
  let broker: Broker;
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  const publishers: KafkaPublisher[] = [];

  beforeAll(async () => {
    broker = await startBroker({
      port: 0,
      host: '127.0.0.1',
      autoCreateTopics: false,
      topics: [{ name: 'order-events', partitions: 3 }],
    });
    proxy = await countingProxy(broker.address);
  });

  afterAll(async () => {
    for (const p of publishers) await p.disconnect();
    proxy.close();
    await broker.stop();
  });

  const event = (orderId: string) => ({
    type: 'ORDER_CREATED' as const,
    payload: { ...FIXTURES.ORDER_CREATED.payload, orderId },
  });

  function publisher(options: ConstructorParameters<typeof KafkaPublisher>[2]) {
    const p = new KafkaPublisher(
      'order',
      () => ({ brokers: [proxy.address], auth: 'none', tls: false, clientId: 'reconnect-test' }),
      options,
    );
    publishers.push(p);
    return p;
  }

  it('reconnects before a publish once the producer is older than the limit, and loses nothing', async () => {
    let now = 1_000_000;
    const p = publisher({ maxConnectionAgeMs: 60_000, now: () => now });
    await p.publish('order-events', event('ord_age1'));
    const afterFirst = proxy.accepted();
    expect(afterFirst).toBeGreaterThanOrEqual(1);

    now += 59_000;
    await p.publish('order-events', event('ord_age2'));
    expect(proxy.accepted()).toBe(afterFirst);

    now += 2_000;
    await p.publish('order-events', event('ord_age3'));
    expect(proxy.accepted()).toBeGreaterThan(afterFirst);

    const admin = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('order-events');
    await admin.disconnect();
    expect(offsets.reduce((n, o) => n + Number(o.high), 0)).toBe(3);
  });

  it('keeps one producer without IAM auth unless a limit is given', async () => {
    let now = 5_000_000;
    const p = publisher({ now: () => now });
    await p.publish('order-events', event('ord_age4'));
    const before = proxy.accepted();
    now += MSK_IAM_RECONNECT_MS * 10;
    await p.publish('order-events', event('ord_age5'));
    expect(proxy.accepted()).toBe(before);
  });
});
