import type { Command } from 'commander';
import type { ITopicConfig } from 'kafkajs';
import { withAdmin } from '#local/inspect/kafka-read';
import {
  action,
  CliError,
  collect,
  EXIT,
  type ExitCode,
  type Io,
  jsonOption,
  line,
  NotFoundError,
  positiveInt,
  printJson,
  processIo,
  table,
  UsageError,
} from '../output';
import { addTargetOptions, resolveTarget, type Target, type TargetFlags } from '../target';

/** `campusg topics`: what `kafka-topics --list | --describe | --create | --delete` do, on any target. */
export function register(program: Command, io: Io = processIo): void {
  const topics = program
    .command('topics')
    .description('list, describe, create and delete Kafka topics (like kafka-topics)')
    .exitOverride();

  addTargetOptions(
    jsonOption(
      topics
        .command('list')
        .description('list the topics on the broker, one per line')
        .option('--include-internal', 'also list internal topics such as __consumer_offsets'),
    ),
  ).action(
    action(io, async (opts: TargetFlags & { json?: boolean; includeInternal?: boolean }) =>
      topicsList(resolveTarget(opts), opts, io),
    ),
  );

  addTargetOptions(
    jsonOption(
      topics
        .command('describe')
        .description('show partitions (leader, replicas, offsets) and configuration of a topic')
        .argument('<topic>', 'topic name'),
    ),
  ).action(
    action(io, async (topic: string, opts: TargetFlags & { json?: boolean }) =>
      topicsDescribe(resolveTarget(opts), topic, opts, io),
    ),
  );

  addTargetOptions(
    topics
      .command('create')
      .description('create a topic')
      .argument('<topic>', 'topic name')
      .option('--partitions <n>', 'number of partitions', positiveInt('--partitions'), 1)
      .option('--replication-factor <n>', 'replicas per partition', positiveInt('--replication-factor'), 1)
      .option('--config <key=value>', 'topic config entry, e.g. retention.ms=86400000 (repeatable)', collect)
      .option('--if-not-exists', 'succeed without changes when the topic already exists'),
  ).action(
    action(
      io,
      async (
        topic: string,
        opts: TargetFlags & {
          partitions: number;
          replicationFactor: number;
          config?: string[];
          ifNotExists?: boolean;
        },
      ) => topicsCreate(resolveTarget(opts), topic, opts, io),
    ),
  );

  addTargetOptions(
    topics
      .command('delete')
      .description('delete a topic and all its records')
      .argument('<topic>', 'topic name')
      .option('--if-exists', 'succeed when the topic does not exist'),
  ).action(
    action(io, async (topic: string, opts: TargetFlags & { ifExists?: boolean }) =>
      topicsDelete(resolveTarget(opts), topic, opts, io),
    ),
  );
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function checkTopicName(topic: string): void {
  if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw new UsageError(
      `bad topic name ${JSON.stringify(topic)}: use 1-249 letters, digits, '.', '_' or '-'`,
    );
  }
}

/** Parses `--config k=v` entries. */
export function parseConfigEntries(entries: readonly string[] = []): { name: string; value: string }[] {
  return entries.map((entry) => {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--config ${JSON.stringify(entry)}: expected key=value`);
    return { name: entry.slice(0, eq).trim(), value: entry.slice(eq + 1).trim() };
  });
}

export async function topicsList(
  target: Target,
  opts: { json?: boolean; includeInternal?: boolean },
  io: Io,
): Promise<ExitCode> {
  const kafka = await target.kafka();
  const names = await withAdmin(kafka, (admin) => admin.listTopics());
  const shown = names.filter((n) => opts.includeInternal || !n.startsWith('__')).sort();
  if (opts.json) printJson(io, shown);
  else for (const n of shown) line(io, n);
  return EXIT.OK;
}

export interface TopicDescription {
  readonly topic: string;
  readonly partitions: {
    readonly partition: number;
    readonly leader: number;
    readonly replicas: number[];
    readonly isr: number[];
    readonly low: number;
    readonly high: number;
  }[];
  /** Config entries the broker reports (undefined when it does not answer DescribeConfigs). */
  readonly configs?: Record<string, string>;
}

export async function topicsDescribe(
  target: Target,
  topic: string,
  opts: { json?: boolean },
  io: Io,
): Promise<ExitCode> {
  const kafka = await target.kafka();
  const description = await withAdmin(kafka, async (admin): Promise<TopicDescription> => {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) throw new NotFoundError(`topic ${topic} does not exist`);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const offsets = await admin.fetchTopicOffsets(topic);
    let configs: Record<string, string> | undefined;
    try {
      // ConfigResourceTypes.TOPIC = 2
      const described = await admin.describeConfigs({
        resources: [{ type: 2, name: topic }],
        includeSynonyms: false,
      });
      configs = {};
      for (const entry of described.resources[0]?.configEntries ?? []) {
        if (entry.configValue !== null && entry.configValue !== undefined)
          configs[entry.configName] = entry.configValue;
      }
    } catch {
      configs = undefined;
    }
    const partitions = (meta.topics[0]?.partitions ?? [])
      .map((p) => {
        const o = offsets.find((x) => x.partition === p.partitionId);
        return {
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          low: Number(o?.low ?? 0),
          high: Number(o?.high ?? 0),
        };
      })
      .sort((a, b) => a.partition - b.partition);
    return { topic, partitions, configs };
  });
  if (opts.json) {
    printJson(io, description);
    return EXIT.OK;
  }
  const records = description.partitions.reduce((sum, p) => sum + (p.high - p.low), 0);
  line(io, `Topic: ${topic}\tPartitions: ${description.partitions.length}\tRecords: ${records}`);
  if (description.configs) {
    const entries = Object.entries(description.configs).sort(([a], [b]) => a.localeCompare(b));
    line(io, `Configs: ${entries.map(([k, v]) => `${k}=${v}`).join(',') || '(none)'}`);
  }
  const rows = [
    ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'LOW', 'HIGH'],
    ...description.partitions.map((p) => [
      String(p.partition),
      String(p.leader),
      p.replicas.join(','),
      p.isr.join(','),
      String(p.low),
      String(p.high),
    ]),
  ];
  for (const row of table(rows)) line(io, `  ${row}`);
  return EXIT.OK;
}

export async function topicsCreate(
  target: Target,
  topic: string,
  opts: { partitions?: number; replicationFactor?: number; config?: string[]; ifNotExists?: boolean },
  io: Io,
): Promise<ExitCode> {
  checkTopicName(topic);
  const configEntries = parseConfigEntries(opts.config);
  const kafka = await target.kafka();
  const spec: ITopicConfig = {
    topic,
    numPartitions: opts.partitions ?? 1,
    replicationFactor: opts.replicationFactor ?? 1,
    configEntries,
  };
  const created = await withAdmin(kafka, async (admin) => {
    if ((await admin.listTopics()).includes(topic)) return false;
    return admin.createTopics({ topics: [spec], waitForLeaders: true });
  });
  if (!created) {
    if (opts.ifNotExists) {
      line(io, `Topic ${topic} already exists.`);
      return EXIT.OK;
    }
    throw new CliError(`topic ${topic} already exists (use --if-not-exists to accept that)`);
  }
  line(io, `Created topic ${topic} with ${spec.numPartitions} partition(s).`);
  return EXIT.OK;
}

export async function topicsDelete(
  target: Target,
  topic: string,
  opts: { ifExists?: boolean },
  io: Io,
): Promise<ExitCode> {
  checkTopicName(topic);
  const kafka = await target.kafka();
  const deleted = await withAdmin(kafka, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return false;
    await admin.deleteTopics({ topics: [topic] });
    return true;
  });
  if (!deleted) {
    if (opts.ifExists) {
      line(io, `Topic ${topic} does not exist.`);
      return EXIT.OK;
    }
    throw new NotFoundError(`topic ${topic} does not exist`);
  }
  line(io, `Deleted topic ${topic}.`);
  return EXIT.OK;
}
