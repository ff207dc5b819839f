/**
 * The local runtime's guards against running twice: `runtime.lock` in the state directory (where
 * runtime.json lives) and in the data directory, both through the shared instance guard
 * (local/instance-guard), which the OS releases when the runtime dies however it dies. A second start on
 * the same directories is refused with what runs, how to stop it and how to run a second runtime beside it;
 * a lock or runtime.json left by a runtime that is gone is reported in one line and replaced.
 */
import * as path from 'node:path';
import { RUNTIME_LOCK, readRuntimeFile } from '#local/core/state-file';
import { acquireGuard, announce, describeOwner, type InstanceGuard } from '#local/instance-guard/index';

export interface RuntimeLocks {
  release(): Promise<void>;
}

/**
 * Takes the runtime lock of `stateDir` (unless `stateFile` is false) and of `dataDir` (when given), or
 * throws AlreadyRunningError. `onNotice` gets the one-line reports of stale locks and state files.
 */
export async function lockRuntimeDirectories(o: {
  stateDir: string;
  dataDir: string | undefined;
  stateFile: string | false;
  onNotice: (line: string) => void;
}): Promise<RuntimeLocks> {
  const dirs: { dir: string; kind: 'state' | 'data' }[] = [];
  if (o.stateFile !== false) dirs.push({ dir: o.stateDir, kind: 'state' });
  // One lock when both are the same directory (tests keep state and data together).
  if (o.dataDir && (o.stateFile === false || path.resolve(o.dataDir) !== path.resolve(o.stateDir)))
    dirs.push({ dir: o.dataDir, kind: 'data' });

  announce({ dirs: { stateDir: o.stateDir, dataDir: o.dataDir } });
  const held: InstanceGuard[] = [];
  const release = async () => {
    for (const g of held.splice(0).reverse()) await g.release();
  };
  try {
    for (const { dir, kind } of dirs) {
      held.push(
        await acquireGuard(dir, {
          name: RUNTIME_LOCK,
          what: 'local runtime',
          onStale: o.onNotice,
          busyMessage: (owner) =>
            [
              `a local runtime already runs with the ${kind} directory ${dir}: ${describeOwner(owner)}.`,
              `Stop it with Ctrl-C in its terminal${owner ? ` or \`kill ${owner.pid}\`` : ''}.`,
              'To run a second runtime beside it, give it its own state directory, data directory and ports, e.g.',
              '`npm start -- --state-dir .campusg-2 --data-dir ./data-2 --kafka-port 19092 --http-port 3001 --aws-port 4578`,',
              'and pass the same --state-dir (or CAMPUSG_STATE_DIR=.campusg-2) to the campusg commands meant for it.',
            ].join(' '),
        }),
      );
    }
  } catch (err) {
    await release();
    throw err;
  }
  if (o.stateFile !== false) reportStaleStateFile(o.stateFile, o.onNotice);
  return { release };
}

/** Holding the lock, any runtime.json there is a leftover of a runtime that is gone: say so once. */
function reportStaleStateFile(file: string, onNotice: (line: string) => void): void {
  const read = readRuntimeFile(file);
  if (read.reason === 'missing' || read.reason === 'unreadable') return;
  // not JSON or not a runtime description: replaced all the same
  const pid = read.info?.pid ?? read.pid;
  onNotice(`replacing ${file}, left by a runtime that is gone${pid !== undefined ? ` (pid ${pid})` : ''}`);
}
