/**
 * The on-disk format of the file storage (format version 2), and the check of that version on open.
 *
 * Files of a data directory:
 *
 *   format.json                      {"format":"campusg-kafka-broker-storage","version":2}: written when a
 *                                    directory is first opened, read back and checked on every open
 *   topics.json                      {"version":2,"topics":[{name, partitions, retentionMs, retentionBytes,
 *                                    configs}]}; replaced atomically (temp file, fsync, rename)
 *   offsets.log                      committed group offsets (offsets-log.ts): frames back to back, each
 *                                    uint32 payload length | uint32 CRC-32C of the payload | JSON payload
 *                                    {k:'c', g, t, p, o, e, m, ts} (commit), {k:'d', t} (topic deleted),
 *                                    {k:'o', g, t, p} (one offset deleted) or {k:'g', g} (group deleted);
 *                                    compacted by an atomic rewrite
 *   logs/<topic>/<partition>/<base offset, 20 digits>.log
 *                                    segments (segment-log.ts): Kafka RecordBatch v2 bytes back to back, as
 *                                    the producer sent them with the log's base offset patched in (see
 *                                    ../protocol/record-batch.ts); <topic> is URI-encoded
 *   logs/<topic>/<partition>/log-start-offset
 *                                    the log start offset set by DeleteRecords, in decimal, when it lies
 *                                    past the first stored batch; replaced atomically
 *   broker.lock                      a listening socket: one broker per directory (lock.ts)
 *
 * Versioning: a reader refuses a directory whose format.json (or topics.json) names a version it cannot read,
 * with the file, the version found and the version expected, and never rewrites it. Version 2 added the
 * log-start-offset files and the 'o' and 'g' offset records (DeleteRecords, OffsetDelete, DeleteGroups);
 * everything of version 1 reads the same, so a version 1 directory is opened as is and its format.json
 * is raised to 2 (a broker of the version 1 release then refuses it, by name, instead of misreading a
 * deleted offset). A directory written before format.json existed has exactly the version 1 layout, so it
 * is adopted the same way. A change of any layout above raises FORMAT_VERSION.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StorageError } from './errors';
import { writeFileAtomic } from './file-io';

/** The version of the layout above that this broker reads and writes. */
export const FORMAT_VERSION = 2;
/** Versions this broker opens: version 1 is a subset of version 2. */
export const READABLE_VERSIONS: readonly number[] = [1, 2];
export const FORMAT_NAME = 'campusg-kafka-broker-storage';

export const FORMAT_FILE = 'format.json';
export const TOPICS_FILE = 'topics.json';
export const OFFSETS_FILE = 'offsets.log';
export const LOGS_DIR = 'logs';
export const SEGMENT_SUFFIX = '.log';

/** A `version` read from `file` that this broker cannot read: the error names both versions and the fix. */
export function wrongVersion(file: string, found: unknown): StorageError {
  return new StorageError(
    `${file}: storage format version ${JSON.stringify(found)} found, version ${READABLE_VERSIONS.join(' or ')} expected. ` +
      'This data directory was written by another broker version: open it with that version, or start ' +
      'this one on an empty data directory (--data-dir <another dir>).',
  );
}

/**
 * What the check on open found: the version checked, format.json created, a pre-marker directory adopted,
 * or a version 1 directory upgraded to version 2.
 */
export type FormatCheck = 'checked' | 'created' | 'adopted' | 'upgraded';

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
    if (!READABLE_VERSIONS.includes(marker.version as number)) throw wrongVersion(file, marker.version);
    if (marker.version === FORMAT_VERSION) return 'checked';
    writeFileAtomic(file, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`);
    return 'upgraded';
  }
  const existing = [TOPICS_FILE, OFFSETS_FILE, LOGS_DIR].some((name) => fs.existsSync(path.join(dir, name)));
  writeFileAtomic(file, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`);
  return existing ? 'adopted' : 'created';
}
