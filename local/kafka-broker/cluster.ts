import { createHash } from 'node:crypto';
import type { Authorizer } from './authorizer';
import { GroupCoordinator } from './groups/coordinator';
import { PartitionProducers } from './producers';
import { ErrorCode } from './protocol/error-codes';
import type { ValidBatch } from './protocol/record-batch';
import { RequestCounts } from './request-counts';
import type { BrokerStorage, PartitionLog, TopicConfig } from './storage/types';
import { topicConfigProblem } from './topic-configs';

/** Kafka's defaults for topics created without explicit retention. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_RETENTION_BYTES = -1;
const MAX_PARTITIONS = 10_000;
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export interface BrokerLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ClusterOptions {
  readonly nodeId: number;
  readonly autoCreateTopics: boolean;
  readonly defaultPartitions: number;
  readonly logger: BrokerLogger;
  /** Consulted before every operation; undefined = everything allowed. */
  readonly authorizer?: Authorizer;
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs?: number;
  readonly retentionBytes?: number;
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * The single owner of broker state: topics (cached from storage), the group coordinator, the advertised
 * address, producer ids and the wake-ups of parked Fetch requests. API handlers read and change state only
 * through this object.
 */
export class Cluster {
  readonly clusterId = 'campusg-embedded-kafka';
  readonly groups: GroupCoordinator;
  /** Requests served per API key and version (decoded requests only; closed connections do not count). */
  readonly requests = new RequestCounts();
  advertisedHost = '127.0.0.1';
  advertisedPort = 0;
  private readonly topics = new Map<string, TopicConfig>();
  private readonly appendWaiters = new Set<() => void>();
  /** Idempotent-producer state per `topic NUL partition`, rebuilt from the log at start. */
  private readonly producers = new Map<string, PartitionProducers>();
  private nextProducerId: bigint;
  private readonly handedOut = new Set<bigint>();

  constructor(
    readonly storage: BrokerStorage,
    readonly options: ClusterOptions,
  ) {
    let maxProducerId = 0n;
    for (const topic of storage.listTopics()) {
      this.topics.set(topic.name, topic);
      for (let p = 0; p < topic.partitions; p++) {
        const log = storage.partition(topic.name, p);
        if (!log || log.highWatermark() === log.logStartOffset()) continue;
        const state = PartitionProducers.rebuild(log);
        if (state.size > 0) this.producers.set(`${topic.name}\u0000${p}`, state);
        const max = state.maxProducerId();
        if (max > maxProducerId) maxProducerId = max;
      }
    }
    // Ids handed out before a restart are never reused: the clock (in us) is past every earlier allocation.
    const clock = BigInt(Date.now()) * 1000n;
    this.nextProducerId = maxProducerId + 1n > clock ? maxProducerId + 1n : clock;
    this.groups = new GroupCoordinator(storage, (message) => options.logger.info(message));
  }

  get authorizer(): Authorizer | undefined {
    return this.options.authorizer;
  }

  get nodeId(): number {
    return this.options.nodeId;
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  topic(name: string): TopicConfig | undefined {
    return this.topics.get(name);
  }

  /**
   * The topic's id (Metadata v10+, CreateTopics v7+, DeleteTopics v6+): 16 bytes derived from the cluster
   * id and the topic name, so it is stable across restarts without being stored. A topic deleted and
   * created again gets the same id (Kafka would give it a new one).
   */
  topicId(name: string): Buffer {
    const id = createHash('sha256').update(`${this.clusterId}\u0000${name}`).digest().subarray(0, 16);
    id[6] = (id[6]! & 0x0f) | 0x40; // UUID version 4 layout, never the all-zero id
    id[8] = (id[8]! & 0x3f) | 0x80;
    return id;
  }

  /** The name of the topic with this id, if any. */
  topicNameById(id: Buffer): string | undefined {
    for (const name of this.topics.keys()) if (this.topicId(name).equals(id)) return name;
    return undefined;
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.storage.partition(topic, partition);
  }

  /** Creates a topic; returns a Kafka error code (0 on success). */
  createTopic(topic: NewTopic, validateOnly = false): { errorCode: number; message: string | null } {
    if (!isLegalTopicName(topic.name)) {
      return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: `topic name ${topic.name} is illegal` };
    }
    if (this.topics.has(topic.name)) {
      return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `topic ${topic.name} already exists` };
    }
    const partitions = topic.partitions === -1 ? this.options.defaultPartitions : topic.partitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, message: `partitions must be 1..${MAX_PARTITIONS}` };
    }
    const configs = { ...topic.configs };
    for (const [name, value] of Object.entries(configs)) {
      const problem = topicConfigProblem(name, value);
      if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, message: problem };
    }
    const retentionMs = parseRetention(configs['retention.ms'], topic.retentionMs ?? DEFAULT_RETENTION_MS);
    const retentionBytes = parseRetention(
      configs['retention.bytes'],
      topic.retentionBytes ?? DEFAULT_RETENTION_BYTES,
    );
    if (retentionMs === undefined || retentionBytes === undefined) {
      return {
        errorCode: ErrorCode.INVALID_CONFIG,
        message: 'retention.ms and retention.bytes must be integers',
      };
    }
    if (validateOnly) return { errorCode: ErrorCode.NONE, message: null };
    const config: TopicConfig = { name: topic.name, partitions, retentionMs, retentionBytes, configs };
    this.storage.createTopic(config);
    this.topics.set(topic.name, config);
    this.options.logger.info(`created topic ${topic.name} with ${partitions} partitions`);
    return { errorCode: ErrorCode.NONE, message: null };
  }

  /**
   * Replaces the configs of a topic (AlterConfigs semantics; IncrementalAlterConfigs computes the full
   * set first). Unknown names and bad values get INVALID_CONFIG with the reason.
   */
  alterTopicConfigs(
    name: string,
    configs: Readonly<Record<string, string>>,
    validateOnly: boolean,
  ): { errorCode: number; message: string | null } {
    const topic = this.topics.get(name);
    if (!topic)
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `topic ${name} does not exist` };
    for (const [key, value] of Object.entries(configs)) {
      const problem = topicConfigProblem(key, value);
      if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, message: problem };
    }
    if (validateOnly) return { errorCode: ErrorCode.NONE, message: null };
    const retentionMs = parseRetention(configs['retention.ms'], DEFAULT_RETENTION_MS)!;
    const retentionBytes = parseRetention(configs['retention.bytes'], DEFAULT_RETENTION_BYTES)!;
    const updated: TopicConfig = { ...topic, retentionMs, retentionBytes, configs: { ...configs } };
    this.storage.updateTopic(updated);
    this.topics.set(name, updated);
    this.options.logger.info(`altered configs of topic ${name}`);
    return { errorCode: ErrorCode.NONE, message: null };
  }

  /** Grows a topic to `count` partitions (CreatePartitions); fewer or equal gets INVALID_PARTITIONS. */
  createPartitions(
    name: string,
    count: number,
    validateOnly: boolean,
  ): { errorCode: number; message: string | null } {
    const topic = this.topics.get(name);
    if (!topic)
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `topic ${name} does not exist` };
    if (!Number.isInteger(count) || count <= topic.partitions || count > MAX_PARTITIONS) {
      return {
        errorCode: ErrorCode.INVALID_PARTITIONS,
        message: `topic ${name} has ${topic.partitions} partitions; the new count must be larger (at most ${MAX_PARTITIONS})`,
      };
    }
    if (validateOnly) return { errorCode: ErrorCode.NONE, message: null };
    const updated: TopicConfig = { ...topic, partitions: count };
    this.storage.updateTopic(updated);
    this.topics.set(name, updated);
    this.options.logger.info(`topic ${name} now has ${count} partitions`);
    return { errorCode: ErrorCode.NONE, message: null };
  }

  deleteTopic(name: string): number {
    if (!this.topics.has(name)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    this.storage.deleteTopic(name);
    this.topics.delete(name);
    for (const key of [...this.producers.keys()])
      if (key.startsWith(`${name}\u0000`)) this.producers.delete(key);
    this.options.logger.info(`deleted topic ${name}`);
    this.wakeFetchers();
    return ErrorCode.NONE;
  }

  /**
   * Auto-creates a topic for Metadata when allowed. Returns NONE when it exists afterwards,
   * INVALID_TOPIC_EXCEPTION for an illegal name (as Kafka), else UNKNOWN_TOPIC_OR_PARTITION.
   */
  ensureTopic(name: string, allowAutoCreate: boolean): number {
    if (this.topics.has(name)) return ErrorCode.NONE;
    if (!isLegalTopicName(name)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
    if (!this.options.autoCreateTopics || !allowAutoCreate) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return this.createTopic({ name, partitions: this.options.defaultPartitions }).errorCode;
  }

  /**
   * Appends the validated batches of one partition of a Produce request, checking idempotent producers'
   * sequences first (see producers.ts): a retried batch is answered with its original offset and not
   * stored twice; a gap or an old epoch is refused with its error code and nothing of it is stored.
   */
  produce(
    topic: string,
    partition: number,
    log: PartitionLog,
    batches: readonly ValidBatch[],
  ): { errorCode: number; baseOffset: bigint } {
    const key = `${topic}\u0000${partition}`;
    let state = this.producers.get(key);
    let first = -1n;
    let appended = false;
    for (const batch of batches) {
      if (batch.producerId >= 0n && batch.baseSequence >= 0) {
        state ??= new PartitionProducers();
        const check = state.check(batch);
        if (check.kind === 'error') {
          if (appended) this.wakeFetchers();
          return { errorCode: check.errorCode, baseOffset: -1n };
        }
        if (check.kind === 'duplicate') {
          if (first < 0n) first = check.baseOffset;
          continue;
        }
      }
      const base = log.append(batch.bytes, batch.recordCount, batch.firstTimestamp, batch.maxTimestamp);
      appended = true;
      if (first < 0n) first = base;
      if (state && batch.producerId >= 0n && batch.baseSequence >= 0) {
        state.record(batch.producerId, batch.producerEpoch, batch.baseSequence, batch.lastOffsetDelta, base);
        this.producers.set(key, state);
      }
    }
    if (appended) this.wakeFetchers();
    return { errorCode: ErrorCode.NONE, baseOffset: first };
  }

  /** Appends validated batches; returns the base offset of the first. Wakes parked fetches. */
  append(log: PartitionLog, batches: readonly ValidBatch[]): bigint {
    let first = -1n;
    for (const batch of batches) {
      const base = log.append(batch.bytes, batch.recordCount, batch.firstTimestamp, batch.maxTimestamp);
      if (first < 0n) first = base;
    }
    this.wakeFetchers();
    return first;
  }

  /** Resolves at the next append, after `timeoutMs`, or when `signal` aborts, whichever is first. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.appendWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.appendWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  allocateProducerId(): bigint {
    const id = this.nextProducerId++;
    this.handedOut.add(id);
    return id;
  }

  /** Whether this broker (since it started) handed out `producerId`, for InitProducerId epoch bumps. */
  producerIdHandedOut(producerId: bigint): boolean {
    return this.handedOut.has(producerId);
  }

  enforceRetention(now: number): void {
    for (const topic of this.topics.values()) {
      for (let p = 0; p < topic.partitions; p++) this.storage.partition(topic.name, p)?.enforceRetention(now);
    }
  }

  close(): void {
    this.groups.close();
    this.wakeFetchers();
  }

  private wakeFetchers(): void {
    if (this.appendWaiters.size === 0) return;
    for (const wake of [...this.appendWaiters]) wake();
  }
}

/** Kafka's rule: 1-249 of [a-zA-Z0-9._-], and not "." or "..". */
export function isLegalTopicName(name: string): boolean {
  return LEGAL_TOPIC.test(name) && name !== '.' && name !== '..';
}

function parseRetention(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  return Number.isInteger(parsed) ? parsed : undefined;
}
