/**
 * Topic creation on an external Kafka: the template's topics, created when missing. The runtime uses it for
 * `--kafka-brokers` and the LocalStack bridge for the compose file's Kafka; the embedded broker creates its
 * topics itself.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { LocalTopic } from './types';

/**
 * Creates the template's topics that an external single-broker Kafka does not have yet (the runtime with
 * `kafkaBrokers`, the LocalStack bridge on the compose Kafka). Existing topics are left as they are.
 */
export async function ensureTopics(
  brokers: readonly string[],
  topics: readonly LocalTopic[],
  clientId = 'campusg-local-admin',
): Promise<void> {
  if (topics.length === 0) return;
  const kafka = new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: 1,
          // One broker: the template's min.insync.replicas (for three) would refuse every write.
          configEntries: Object.entries(t.configs)
            .filter(([k]) => k !== 'min.insync.replicas')
            .map(([name, value]) => ({ name, value })),
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
