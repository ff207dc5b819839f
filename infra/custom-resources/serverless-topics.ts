/**
 * CloudFormation custom resource `Custom::CampusgKafkaTopics` for MSK Serverless, where `AWS::MSK::Topic`
 * does not apply. Runs in the VPC with the kafkajs admin client and MSK IAM auth.
 *
 * - Create / Update: creates missing topics with their whole configuration, raises partition counts that
 *   are lower than asked (Kafka cannot lower them), and on existing topics changes only the settings that
 *   differ, through IncrementalAlterConfigs (never the non-incremental AlterConfigs, which resets every other
 *   override). Creation-only settings (`cleanup.policy` on MSK Serverless) are never sent for an existing
 *   topic; a difference is reported in the response data (`NotApplied`) and the log. Safe to re-run.
 * - Delete: does nothing. Topics hold the saga's data; removing them is an operator decision.
 * - The work stops well before the function's own timeout and answers FAILED, so a stuck broker never
 *   leaves CloudFormation waiting (the resource also has a ServiceTimeout).
 *
 * Properties: `ClusterArn`, `Topics: [{ Name, Partitions, Configs: { key: value } }]`.
 * The response goes to CloudFormation's pre-signed S3 URL (reached through the VPC's S3 gateway endpoint).
 */
import { request } from 'node:https';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import {
  type ConfigResourceChange,
  incrementalAlterConfigs,
  TOPIC_RESOURCE,
} from './incremental-alter-configs';

/** Topic settings MSK Serverless accepts only when a topic is created (MSK developer guide, serverless-config). */
export const CREATION_ONLY_CONFIGS: readonly string[] = ['cleanup.policy'];

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

export async function handler(
  event: CustomResourceEvent,
  context?: { getRemainingTimeInMillis(): number },
): Promise<void> {
  const physicalResourceId = event.PhysicalResourceId ?? `campusg-topics-${event.LogicalResourceId}`;
  try {
    let data: Record<string, string> = {};
    if (event.RequestType !== 'Delete') {
      // Leave 15 s to answer CloudFormation before Lambda stops the function.
      const budgetMs = Math.max(1000, (context?.getRemainingTimeInMillis() ?? 300_000) - 15_000);
      data = await withDeadline(
        ensureTopics(event.ResourceProperties.ClusterArn, event.ResourceProperties.Topics),
        budgetMs,
        `topic reconciliation did not finish within ${Math.round(budgetMs / 1000)} s (brokers unreachable from the VPC?)`,
      );
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
    return await reconcile(admin, topics, (changes) => incrementalAlterConfigs(kafka, changes));
  } finally {
    await admin.disconnect();
  }
}

/** What must change on existing topics: incremental SETs, and creation-only differences left alone. */
export function configChanges(
  wanted: readonly { name: string; configs: Record<string, string> }[],
  current: ReadonlyMap<string, Readonly<Record<string, string>>>,
): { changes: ConfigResourceChange[]; notApplied: string[] } {
  const changes: ConfigResourceChange[] = [];
  const notApplied: string[] = [];
  for (const t of wanted) {
    const now = current.get(t.name) ?? {};
    const sets = [];
    for (const [name, value] of Object.entries(t.configs)) {
      if (now[name] === value) continue;
      if (CREATION_ONLY_CONFIGS.includes(name)) {
        notApplied.push(`${t.name}:${name}=${value} (is ${now[name] ?? 'unset'}; settable only at creation)`);
        continue;
      }
      sets.push({ name, operation: 'SET' as const, value });
    }
    if (sets.length > 0) changes.push({ type: TOPIC_RESOURCE, name: t.name, changes: sets });
  }
  return { changes, notApplied };
}

/**
 * Reconciles the topics through `admin` (list, create, grow) and `alter` (IncrementalAlterConfigs);
 * returns what changed, for the stack events.
 */
export async function reconcile(
  admin: Admin,
  topics: readonly TopicProperty[],
  alter: (changes: ConfigResourceChange[]) => Promise<void>,
): Promise<Record<string, string>> {
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
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: withConfigs.map((t) => ({
          type: ConfigResourceTypes.TOPIC,
          name: t.name,
          configNames: Object.keys(t.configs),
        })),
      });
      const current = new Map(
        described.resources.map((r) => [
          r.resourceName,
          Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue])),
        ]),
      );
      const { changes, notApplied } = configChanges(withConfigs, current);
      if (notApplied.length > 0) {
        console.warn(
          JSON.stringify({
            level: 'WARN',
            message:
              'creation-only topic settings differ; left unchanged (recreate the topic to change them)',
            notApplied,
          }),
        );
      }
      await alter(changes);
      return {
        Created: missing.map((t) => t.name).join(','),
        Grown: grow.map((g) => g.topic).join(','),
        Altered: changes.map((c) => c.name).join(','),
        NotApplied: notApplied.join('; ').slice(0, 1000),
      };
    }
  }
  return {
    Created: missing.map((t) => t.name).join(','),
    Grown: grow.map((g) => g.topic).join(','),
    Altered: '',
    NotApplied: '',
  };
}

function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
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
