/**
 * The topic lock: what each stage's topics were last synthesized with, committed next to the app
 * (`infra/topic-lock.json`), so that a synth refuses the changes CloudFormation cannot apply to a live stage.
 *
 * - `ReplicationFactor` of an AWS::MSK::Topic is a replacement property, and the replacement has the same
 *   `TopicName`: CloudFormation creates the new topic first, which fails because the name is taken.
 * - Kafka cannot lower a topic's partition count.
 * - Removing a topic from the topology deletes the AWS::MSK::Topic and its records.
 * - Switching `clusterMode` changes the resource type behind one logical id (AWS::MSK::Cluster vs
 *   AWS::MSK::ServerlessCluster), which CloudFormation refuses; the topics would go with the old cluster.
 *
 * Allowed changes (new topics, more partitions) update the stage's entry; commit the file with the deploy.
 * docs/deploy.md ("Changing topics on a live stage") says how to migrate instead.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ClusterMode } from './config';

export interface StageTopics {
  readonly clusterMode: ClusterMode;
  /** Provisioned mode only (MSK Serverless fixes it). */
  readonly replicationFactor?: number;
  /** Partitions by topic name. */
  readonly partitions: Readonly<Record<string, number>>;
}

export type TopicLock = Readonly<Record<string, StageTopics>>;

const HOW_TO =
  'see "Changing topics on a live stage" in docs/deploy.md; if stage %s was never deployed, delete its entry in %s';

/** What a synth would change against the lock: `problems` refuse the synth, `entry` is the new lock entry. */
export function compareWithLock(
  lock: TopicLock,
  stage: string,
  current: StageTopics,
  lockFile = 'infra/topic-lock.json',
): { problems: string[]; entry: StageTopics; changed: boolean } {
  const before = lock[stage];
  if (!before) return { problems: [], entry: current, changed: true };
  const problems: string[] = [];
  if (before.clusterMode !== current.clusterMode) {
    problems.push(
      `stage ${stage} runs clusterMode=${before.clusterMode}; switching to ${current.clusterMode} would change the cluster's resource type under one logical id (CloudFormation refuses) and lose its topics: deploy the new mode as a new stage (-c stage=...) and move clients over`,
    );
  } else {
    if (
      current.replicationFactor !== undefined &&
      before.replicationFactor !== undefined &&
      before.replicationFactor !== current.replicationFactor
    ) {
      problems.push(
        `stage ${stage}: replicationFactor ${before.replicationFactor} -> ${current.replicationFactor} would replace every AWS::MSK::Topic under the same name, which fails: keep ${before.replicationFactor}, or reassign replicas with Kafka's tools outside CloudFormation and then record the new value in the lock`,
      );
    }
    for (const [topic, was] of Object.entries(before.partitions)) {
      const now = current.partitions[topic];
      if (now === undefined) {
        problems.push(
          `stage ${stage}: topic ${topic} left the topology; deploying would delete it and its records: keep it, or remove its entry from the lock once its records are no longer needed`,
        );
      } else if (now < was) {
        problems.push(
          `stage ${stage}: topic ${topic} partitions ${was} -> ${now}: Kafka cannot lower a partition count; keep ${was} or more`,
        );
      }
    }
  }
  const help = HOW_TO.replace('%s', stage).replace('%s', lockFile);
  const changed = JSON.stringify(before) !== JSON.stringify(current);
  return { problems: problems.map((p) => `${p} (${help})`), entry: current, changed };
}

export function readLock(file: string): TopicLock {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TopicLock;
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}): restore it from version control`);
  }
}

/**
 * Checks a stage against the lock file and records allowed changes in it. Throws one error listing every
 * refused change; returns a note when the file was written (the caller prints it).
 */
export function enforceTopicLock(file: string, stage: string, current: StageTopics): string | undefined {
  const lock = readLock(file);
  const { problems, entry, changed } = compareWithLock(lock, stage, current, file);
  if (problems.length > 0) {
    throw new Error(
      `refusing to synthesize: topics of a live stage would change in ways AWS cannot apply:\n  - ${problems.join('\n  - ')}`,
    );
  }
  if (!changed) return undefined;
  const sorted = Object.fromEntries(
    Object.entries({ ...lock, [stage]: entry }).sort(([a], [b]) => a.localeCompare(b)),
  );
  writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
  return `recorded the topic settings of stage ${stage} in ${file}: commit it with this deploy`;
}
