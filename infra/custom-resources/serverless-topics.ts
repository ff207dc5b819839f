/**
 * CloudFormation custom resource `Custom::CampusgKafkaTopics` for MSK Serverless, where `AWS::MSK::Topic`
 * does not apply. Runs in the VPC with the kafkajs admin client and MSK IAM auth.
 *
 * - Create / Update: creates missing topics, raises partition counts that are lower than asked (Kafka
 *   cannot lower them), and applies each topic's configuration. Safe to run any number of times.
 * - Delete: does nothing. Topics hold the saga's data; removing them is an operator decision.
 *
 * Properties: `ClusterArn`, `Topics: [{ Name, Partitions, Configs: { key: value } }]`.
 * The response goes to CloudFormation's pre-signed S3 URL (reached through the VPC's S3 gateway endpoint).
 */
import { request } from 'node:https';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';

interface TopicProperty {
  readonly Name: string;
  readonly Partitions: number | string;
  readonly Configs?: Record<string, string>;
}

interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly ClusterArn: string; readonly Topics: readonly TopicProperty[] };
}

export async function handler(event: CustomResourceEvent): Promise<void> {
  const physicalResourceId = event.PhysicalResourceId ?? `campusg-topics-${event.LogicalResourceId}`;
  try {
    let data: Record<string, string> = {};
    if (event.RequestType !== 'Delete') {
      data = await ensureTopics(event.ResourceProperties.ClusterArn, event.ResourceProperties.Topics);
    }
    await respond(event, 'SUCCESS', physicalResourceId, data);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(JSON.stringify({ level: 'ERROR', message: 'topic reconciliation failed', reason }));
    await respond(event, 'FAILED', physicalResourceId, {}, reason);
  }
}

/** Reconciles the topics; returns what changed, for the stack events. */
export async function ensureTopics(
  clusterArn: string,
  topics: readonly TopicProperty[],
): Promise<Record<string, string>> {
  const region = process.env.AWS_REGION!;
  const out = await new KafkaClient({ region }).send(
    new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }),
  );
  const brokers = out.BootstrapBrokerStringSaslIam?.split(',');
  if (!brokers?.length) throw new Error(`cluster ${clusterArn} has no SASL/IAM bootstrap brokers`);

  const kafka = new Kafka({
    clientId: 'campusg-topic-admin',
    brokers,
    ssl: true,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
    },
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await reconcile(admin, topics);
  } finally {
    await admin.disconnect();
  }
}

async function reconcile(admin: Admin, topics: readonly TopicProperty[]): Promise<Record<string, string>> {
  const existing = new Set(await admin.listTopics());
  const wanted = topics.map((t) => ({
    name: t.Name,
    partitions: Number(t.Partitions),
    configs: t.Configs ?? {},
  }));
  const missing = wanted.filter((t) => !existing.has(t.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  const present = wanted.filter((t) => existing.has(t.name));
  const grow: { topic: string; count: number }[] = [];
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
    for (const t of present) {
      const current = metadata.topics.find((m) => m.name === t.name)?.partitions.length ?? 0;
      if (current < t.partitions) grow.push({ topic: t.name, count: t.partitions });
    }
    if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow });
    const withConfigs = present.filter((t) => Object.keys(t.configs).length > 0);
    if (withConfigs.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: withConfigs.map((t) => ({
          type: ConfigResourceTypes.TOPIC,
          name: t.name,
          configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
        })),
      });
    }
  }
  return {
    Created: missing.map((t) => t.name).join(','),
    Grown: grow.map((g) => g.topic).join(','),
  };
}

function respond(
  event: CustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  physicalResourceId: string,
  data: Record<string, string>,
  reason?: string,
): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: reason ? reason.slice(0, 1000) : 'see the function log',
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  const url = new URL(event.ResponseURL);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        path: `${url.pathname}${url.search}`,
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
