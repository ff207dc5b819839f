/**
 * File-backed broker storage: records, topics and committed offsets survive a restart or a kill -9. This
 * file owns the data directory as a whole (its topics, their partitions, open and close); the parts live
 * beside it:
 *
 *   format.ts          the on-disk layout and format version, checked on every open
 *   lock.ts            one broker per data directory
 *   segment-log.ts     a partition's segment files: append, read, roll, retention
 *   segment-index.ts   the in-memory index of those segments
 *   recovery.ts        rebuilding that index on open, truncating a torn tail
 *   offsets-log.ts     committed group offsets
 *   file-io.ts         full reads and writes, fsync, atomic replacement
 *
 * Durability: append() hands the batch to the OS with a synchronous write before it returns, so an
 * acknowledged produce survives a kill -9 of the process (`fsync: 'os'`, the default). `fsync: 'always'`
 * also survives power loss at the price of one fsync per append; a number fsyncs dirty files every that
 * many milliseconds.
 *
 * Recovery: on open every segment is scanned to rebuild the index. The active (last) segment of each
 * partition is checked batch by batch; the first bad batch and everything after it is a torn tail and is
 * truncated. Older segments were complete when they rolled; their CRCs are checked only with
 * `verifyAllSegments`. The offsets log is replayed the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageError } from './errors';
import { writeFileAtomic } from './file-io';
import {
  checkFormat,
  FORMAT_VERSION,
  type FormatCheck,
  LOGS_DIR,
  OFFSETS_FILE,
  READABLE_VERSIONS,
  TOPICS_FILE,
  wrongVersion,
} from './format';
import { lockDataDirectory } from './lock';
import { commitRecord, OffsetsLog, type OffsetsLogHost } from './offsets-log';
import { FilePartitionLog, type SegmentLogHost } from './segment-log';
import type { BrokerStorage, CommittedOffset, PartitionLog, TopicConfig } from './types';

export { StorageError } from './errors';

export interface FileStorageOptions {
  /** A partition rolls to a new segment file when the active one would grow past this. Default 64 MiB. */
  readonly segmentBytes?: number;
  /**
   * When appended data is forced to disk. 'os' (default): a synchronous write per append, durable against
   * a crash of the process, not of the machine. 'always': fsync per append. A number: fsync dirty
   * segments every that many milliseconds (in addition to the per-append write).
   */
  readonly fsync?: 'os' | 'always' | number;
  /** Recently appended batches kept in memory per partition to serve tail reads without I/O. Default 4 MiB. */
  readonly cacheBytes?: number;
  /** Check the CRC of every batch of every segment on open, not only of the active segments. Default false. */
  readonly verifyAllSegments?: boolean;
  /** Rewrite the offsets log once it holds this many more frames than live offsets. Default 10000. */
  readonly offsetsCompactionSlack?: number;
}

/** What recovery found and fixed on open, for logs and tests. */
export interface RecoveryReport {
  /** One line per truncation: which file, at which position, why. */
  readonly truncations: string[];
}

export type FileBrokerStorage = BrokerStorage & {
  readonly dir: string;
  readonly recovery: RecoveryReport;
  /** What the format check found on open (format.ts). */
  readonly format: FormatCheck | undefined;
};

/** Opens (creating if needed) the data directory `dir`, recovering from a crash if there was one. */
export async function openFileStorage(
  dir: string,
  options: FileStorageOptions = {},
): Promise<FileBrokerStorage> {
  const storage = new FileStorage(path.resolve(dir), options);
  try {
    storage.guard = await lockDataDirectory(storage.dir);
    storage.open();
  } catch (err) {
    // Release what was opened (files, the lock) so that a fixed directory can be opened again.
    await storage.close().catch(() => undefined);
    throw err;
  }
  return storage;
}

function topicDirName(topic: string): string {
  // Kafka topic names are [a-zA-Z0-9._-]; encoding keeps any other name from escaping the directory.
  return encodeURIComponent(topic).replace(/^\.{1,2}$/, (m) => m.replace(/\./g, '%2E'));
}

interface StoredTopic {
  /** Replaced by updateTopic (AlterConfigs, CreatePartitions). */
  config: TopicConfig;
  readonly partitions: FilePartitionLog[];
}

class FileStorage implements BrokerStorage, SegmentLogHost, OffsetsLogHost {
  readonly segmentBytes: number;
  readonly fsyncPolicy: 'os' | 'always' | 'interval';
  readonly cacheBytes: number;
  readonly verifyAllSegments: boolean;
  readonly offsetsCompactionSlack: number;
  readonly recovery: RecoveryReport = { truncations: [] };
  /** What the format check found on open (format.ts). */
  format: FormatCheck | undefined;
  private readonly topics = new Map<string, StoredTopic>();
  private readonly offsets: OffsetsLog;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The data directory's lock (./lock.ts), held from open to close. */
  guard: { release(): Promise<void> } | undefined;

  constructor(
    readonly dir: string,
    private readonly options: FileStorageOptions,
  ) {
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    const fsync = options.fsync ?? 'os';
    this.fsyncPolicy = typeof fsync === 'number' ? 'interval' : fsync;
    this.cacheBytes = options.cacheBytes ?? 4 * 1024 * 1024;
    this.verifyAllSegments = options.verifyAllSegments ?? false;
    this.offsetsCompactionSlack = options.offsetsCompactionSlack ?? 10_000;
    this.offsets = new OffsetsLog(path.join(dir, OFFSETS_FILE), this);
  }

  open(): void {
    this.format = checkFormat(this.dir);
    fs.mkdirSync(path.join(this.dir, LOGS_DIR), { recursive: true });
    const configs = this.readTopics();
    for (const config of configs) this.topics.set(config.name, this.loadTopic(config));
    this.removeOrphans();
    this.offsets.load(this.recovery.truncations);
    if (typeof this.options.fsync === 'number') {
      this.timer = setInterval(() => this.syncAll(), this.options.fsync);
      this.timer.unref();
    }
  }

  private readTopics(): TopicConfig[] {
    const file = path.join(this.dir, TOPICS_FILE);
    if (!fs.existsSync(file)) return [];
    let parsed: { version?: unknown; topics: TopicConfig[] };
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof parsed;
      if (!Array.isArray(parsed.topics)) throw new Error('no "topics" array');
    } catch (err) {
      // Written only by rename of a complete file, so this is damage from outside: do not guess.
      throw new StorageError(
        `${file} is unreadable (${(err as Error).message}); restore it or remove the data directory`,
        { cause: err },
      );
    }
    // Absent only in files written before the format had a version (format.ts): those are version 1.
    if (parsed.version !== undefined && !READABLE_VERSIONS.includes(parsed.version as number))
      throw wrongVersion(file, parsed.version);
    return parsed.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      retentionMs: t.retentionMs,
      retentionBytes: t.retentionBytes,
      configs: { ...t.configs },
    }));
  }

  private writeTopics(): void {
    const topics = [...this.topics.values()].map((t) => t.config);
    writeFileAtomic(
      path.join(this.dir, TOPICS_FILE),
      `${JSON.stringify({ version: FORMAT_VERSION, topics }, null, 2)}\n`,
    );
  }

  private topicDir(name: string): string {
    return path.join(this.dir, LOGS_DIR, topicDirName(name));
  }

  private loadTopic(config: TopicConfig): StoredTopic {
    const partitions: FilePartitionLog[] = [];
    for (let p = 0; p < config.partitions; p++) {
      const log = new FilePartitionLog(
        config.name,
        p,
        path.join(this.topicDir(config.name), String(p)),
        this,
      );
      log.load(this.recovery.truncations);
      partitions.push(log);
    }
    return { config, partitions };
  }

  /** Removes log directories of topics that topics.json does not list (a crash mid create or delete). */
  private removeOrphans(): void {
    const known = new Set([...this.topics.keys()].map(topicDirName));
    for (const name of fs.readdirSync(path.join(this.dir, LOGS_DIR))) {
      if (!known.has(name)) fs.rmSync(path.join(this.dir, LOGS_DIR, name), { recursive: true, force: true });
    }
  }

  assertOpen(): void {
    if (this.closed) throw new StorageError(`storage in ${this.dir} is closed`);
  }

  topicConfig(name: string): TopicConfig | undefined {
    return this.topics.get(name)?.config;
  }

  listTopics(): TopicConfig[] {
    return [...this.topics.values()].map((t) => t.config);
  }

  createTopic(config: TopicConfig): void {
    this.assertOpen();
    if (this.topics.has(config.name)) throw new StorageError(`topic ${config.name} already exists`);
    const copy: TopicConfig = { ...config, configs: { ...config.configs } };
    // Partition directories first, then topics.json: the rename is the commit point.
    fs.rmSync(this.topicDir(config.name), { recursive: true, force: true });
    this.topics.set(config.name, this.loadTopic(copy));
    this.writeTopics();
  }

  deleteTopic(name: string): void {
    this.assertOpen();
    const topic = this.topics.get(name);
    if (!topic) return;
    for (const log of topic.partitions) log.markDeleted();
    this.topics.delete(name);
    this.writeTopics();
    fs.rmSync(this.topicDir(name), { recursive: true, force: true });
    if ([...this.offsets.groups.values()].some((o) => [...o.values()].some((v) => v.topic === name))) {
      this.offsets.append({ k: 'd', t: name });
    }
  }

  /** New configs and (only growing) partitions of a topic; topics.json is replaced atomically. */
  updateTopic(config: TopicConfig): void {
    this.assertOpen();
    const topic = this.topics.get(config.name);
    if (!topic) throw new StorageError(`topic ${config.name} does not exist; create it first`);
    if (config.partitions < topic.partitions.length)
      throw new StorageError(`topic ${config.name} cannot shrink`);
    const copy: TopicConfig = { ...config, configs: { ...config.configs } };
    // New partition directories first, then topics.json: the rename is the commit point.
    for (let p = topic.partitions.length; p < copy.partitions; p++) {
      const dir = path.join(this.topicDir(copy.name), String(p));
      fs.rmSync(dir, { recursive: true, force: true });
      const log = new FilePartitionLog(copy.name, p, dir, this);
      log.load(this.recovery.truncations);
      topic.partitions.push(log);
    }
    topic.config = copy;
    this.writeTopics();
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  commitOffset(group: string, topic: string, partition: number, value: CommittedOffset): void {
    this.assertOpen();
    this.offsets.append(commitRecord(group, topic, partition, value));
  }

  fetchOffset(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.groups.get(group)?.get(`${topic}\0${partition}`)?.value;
  }

  committedOffsets(group: string): { topic: string; partition: number; value: CommittedOffset }[] {
    return [...(this.offsets.groups.get(group)?.values() ?? [])].map((v) => ({ ...v }));
  }

  groupsWithOffsets(): string[] {
    return [...this.offsets.groups.keys()];
  }

  deleteOffset(group: string, topic: string, partition: number): void {
    this.assertOpen();
    if (this.fetchOffset(group, topic, partition))
      this.offsets.append({ k: 'o', g: group, t: topic, p: partition });
  }

  deleteGroupOffsets(group: string): void {
    this.assertOpen();
    if (this.offsets.groups.has(group)) this.offsets.append({ k: 'g', g: group });
  }

  /** fsyncs everything written since the last sync. */
  syncAll(): void {
    if (this.closed) return;
    for (const topic of this.topics.values()) for (const log of topic.partitions) log.sync();
    this.offsets.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const topic of this.topics.values()) for (const log of topic.partitions) log.close();
    this.offsets.close();
    await this.guard?.release();
  }
}
