import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Consumer } from 'kafkajs';
import { brokerPool, kafkaFor, waitFor } from '#test/support/kafka-broker/broker-pool';

const pool = brokerPool();
const TOPIC = 'rebalance';
const GROUP = 'workers';
const PARTITIONS = 6;
const consumerConfig = {
  groupId: GROUP,
  sessionTimeout: 6000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 100,
};

/** A group member in a child process, so that it can die without leaving the group (SIGKILL). */
const CHILD_CONSUMER = `
const { Kafka, logLevel } = require('kafkajs');
const [broker, topic, config] = process.argv.slice(1);
const kafka = new Kafka({ clientId: 'child', brokers: [broker], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer(JSON.parse(config));
consumer.connect()
  .then(() => consumer.subscribe({ topic, fromBeginning: true }))
  .then(() => consumer.run({ eachMessage: async ({ message }) => {
    process.stdout.write(JSON.stringify({ value: message.value.toString() }) + '\\n');
  } }));
`;

describe('consumer group rebalancing with kafkajs', () => {
  const consumers: Consumer[] = [];
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    await Promise.all(consumers.map((c) => c.disconnect()));
  });

  it('rebalances when a member joins and when one dies, losing no record and sharing no partition', async () => {
    const broker = await pool.start({ topics: [{ name: TOPIC, partitions: PARTITIONS }] });
    const kafka = kafkaFor(broker);
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();

    /** value -> names of the members that processed it. */
    const processedBy = new Map<string, string[]>();
    const record = (member: string, value: string) =>
      processedBy.set(value, [...(processedBy.get(value) ?? []), member]);
    const startInProcess = async (name: string) => {
      const consumer = kafka.consumer(consumerConfig);
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => void record(name, message.value!.toString()),
      });
    };
    const groupIs = async (members: number) => {
      const { groups } = await admin.describeGroups([GROUP]);
      return groups[0]!.state === 'Stable' && groups[0]!.members.length === members;
    };
    const waitForGroup = async (members: number) => {
      const deadline = Date.now() + 30_000;
      while (!(await groupIs(members))) {
        if (Date.now() > deadline) throw new Error(`group never became stable with ${members} members`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const produce = async (phase: string, count: number) => {
      const messages = Array.from({ length: count }, (_, i) => ({
        key: `${phase}-${i}`,
        value: `${phase}-${i}`,
      }));
      await producer.send({ topic: TOPIC, messages });
      return messages.map((m) => m.value);
    };

    // Three members: two here, one in a child process.
    await startInProcess('a');
    await startInProcess('b');
    child = spawn(
      process.execPath,
      ['-e', CHILD_CONSUMER, broker.address, TOPIC, JSON.stringify(consumerConfig)],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    createInterface({ input: child.stdout! }).on('line', (line) => record('child', JSON.parse(line).value));
    await waitForGroup(3);
    const first = await produce('first', 60);
    await waitFor(() => first.every((v) => processedBy.has(v)), 'the first records');
    expect(new Set(first.flatMap((v) => processedBy.get(v)!))).toEqual(new Set(['a', 'b', 'child']));

    // A fourth member joins.
    await startInProcess('d');
    await waitForGroup(4);
    const second = await produce('second', 60);
    await waitFor(() => second.every((v) => processedBy.has(v)), 'the second records');

    // The child dies without leaving: its session times out and the others take over its partitions.
    child.kill('SIGKILL');
    const third = await produce('third', 60);
    await waitForGroup(3);
    await waitFor(() => third.every((v) => processedBy.has(v)), 'the records produced while a member died');

    // After the rebalance, every record is processed exactly once, by a live member.
    const fourth = await produce('fourth', 60);
    await waitFor(() => fourth.every((v) => processedBy.has(v)), 'the records produced after the rebalance');
    // A sentinel at the end of every partition: once each is processed, everything before it was delivered,
    // so a second delivery of a record would be counted by now.
    const sentinels = Array.from({ length: PARTITIONS }, (_, partition) => `sentinel-${partition}`);
    await producer.send({
      topic: TOPIC,
      messages: sentinels.map((value, partition) => ({ partition, key: value, value })),
    });
    await waitFor(() => sentinels.every((v) => processedBy.has(v)), 'the sentinel of every partition');
    for (const value of fourth) expect([value, processedBy.get(value)!.length]).toEqual([value, 1]);
    expect(new Set(fourth.flatMap((v) => processedBy.get(v)!))).toEqual(new Set(['a', 'b', 'd']));

    const { groups } = await admin.describeGroups([GROUP]);
    expect(groups[0]!.members).toHaveLength(3);
    await producer.disconnect();
    await admin.disconnect();
  });
});
