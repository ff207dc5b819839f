/**
 * The on-disk format of the file storage (format version 1), and the check of that version on open.
 *
 * Files of a data directory:
 *
 *   format.json                      {"format":"campusg-kafka-broker-storage","version":1}: written when a
 *                                    directory is first opened, read back and checked on every open
 *   topics.json                      {"version":1,"topics":[{name, partitions, retentionMs, retentionBytes,
 *                                    configs}]}; replaced atomically (temp file, fsync, rename)
 *   offsets.log                      committed group offsets (offsets-log.ts): frames back to back, each
 *                                    uint32 payload length | uint32 CRC-32C of the payload | JSON payload
 *                                    {k:'c', g, t, p, o, e, m, ts} (commit) or {k:'d', t} (topic deleted);
 *                                    compacted by an atomic rewrite
 *   logs/<topic>/<partition>/<base offset, 20 digits>.log
 *                                    segments (segment-log.ts): Kafka RecordBatch v2 bytes back to back, as
 *                                    the producer sent them with the log's base offset patched in (see
 *                                    ../protocol/record-batch.ts); <topic> is URI-encoded
 *   broker.lock                      a listening socket: one broker per directory (lock.ts)
 *
 * Versioning: a reader refuses a directory whose format.json (or topics.json) names another version, with
 * the file, the version found and the version expected, and never rewrites it. A directory written before
 * format.json existed has exactly the version 1 layout (the topics.json of those brokers already said
 * `"version": 1`), so it is accepted as version 1 and format.json is added. A change of any layout above
 * raises FORMAT_VERSION.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageError } from './errors';
import { writeFileAtomic } from './file-io';

/** The version of the layout above that this broker reads and writes. */
export const FORMAT_VERSION = 1;
export const FORMAT_NAME = 'campusg-kafka-broker-storage';

export const FORMAT_FILE = 'format.json';
export const TOPICS_FILE = 'topics.json';
export const OFFSETS_FILE = 'offsets.log';
export const LOGS_DIR = 'logs';
export const SEGMENT_SUFFIX = '.log';

/** A `version` read from `file` that this broker cannot read: the error names both versions and the fix. */
export function wrongVersion(file: string, found: unknown): StorageError {
  return new StorageError(
    `${file}: storage format version ${JSON.stringify(found)} found, version ${FORMAT_VERSION} expected. ` +
      'This data directory was written by another broker version: open it with that version, or start ' +
      'this one on an empty data directory (--data-dir <another dir>).',
  );
}

/** What the check on open found: the version checked, format.json created, or a pre-marker directory adopted. */
export type FormatCheck = 'checked' | 'created' | 'adopted';

/**
 * Checks the format version of the data directory `dir` (already locked), or writes it: a new directory
 * gets format.json; one from before format.json is accepted as version 1 and gets it too. Returns what
 * it found, for the recovery report.
 */
export function checkFormat(dir: string): FormatCheck {
  const file = path.join(dir, FORMAT_FILE);
  if (fs.existsSync(file)) {
    let marker: { format?: unknown; version?: unknown };
    try {
      marker = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof marker;
    } catch (err) {
      throw new StorageError(
        `${file} is unreadable (${(err as Error).message}); restore it or remove the data directory`,
        { cause: err },
      );
    }
    if (marker.format !== FORMAT_NAME) {
      throw new StorageError(
        `${file} names format ${JSON.stringify(marker.format)}, not ${FORMAT_NAME}: this is not a broker data directory`,
      );
    }
    if (marker.version !== FORMAT_VERSION) throw wrongVersion(file, marker.version);
    return 'checked';
  }
  const existing = [TOPICS_FILE, OFFSETS_FILE, LOGS_DIR].some((name) => fs.existsSync(path.join(dir, name)));
  writeFileAtomic(file, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`);
  return existing ? 'adopted' : 'created';
}
