/**
 * The data directory's lock (`<data-dir>/broker.lock`): one broker per directory, through the shared
 * instance guard (local/instance-guard), which the OS releases when the broker's process dies however it
 * dies. A second broker on the same directory is refused with what runs there and how to run beside it; a
 * lock left by a dead broker (or an old pid-file lock) is reported in one line and replaced.
 */
import { acquireGuard, describeOwner, type InstanceGuard } from '#local/instance-guard/index';

export const LOCK_FILE = 'broker.lock';

export function lockDataDirectory(dir: string, onStale?: (line: string) => void): Promise<InstanceGuard> {
  return acquireGuard(dir, {
    name: LOCK_FILE,
    what: 'kafka broker',
    onStale,
    busyMessage: (owner) =>
      [
        `data directory ${dir} is in use by ${describeOwner(owner)}.`,
        `Stop it (Ctrl-C in its terminal${owner ? `, or kill ${owner.pid}` : ''}), or run a second broker beside it`,
        'with its own data directory and port: campusg broker --data-dir <another dir> --port <another port>',
        '(npm start: --data-dir <another dir> --kafka-port <port>).',
      ].join(' '),
  });
}
