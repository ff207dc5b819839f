/**
 * A separate process for the instance-guard tests: takes the guard `argv[3]` of the directory `argv[2]`,
 * prints `held` (then stays alive until killed) or `refused <message>` / `error <message>` (then exits).
 * Stale-lock notices go to stdout as `stale <line>`. With `--on-go` it prints `ready` and waits for a line
 * on stdin first, so that several holders can be released at the same instant (the race test).
 */
import { AlreadyRunningError, acquireGuard, announce } from '#local/instance-guard/index';

const [dir, name, mode] = process.argv.slice(2);
if (!dir || !name) throw new Error('usage: holder.ts <dir> <name> [--on-go]');
announce({ endpoints: { kafka: '127.0.0.1:1' } });

const go =
  mode === '--on-go'
    ? new Promise<void>((resolve) => {
        process.stdin.once('data', () => resolve());
        process.stdout.write('ready\n');
      })
    : Promise.resolve();

go.then(() =>
  acquireGuard(dir, {
    name,
    what: 'test holder',
    busyMessage: (owner) => `held by pid ${owner?.pid}`,
    onStale: (line) => process.stdout.write(`stale ${line}\n`),
  }).then(
    () => {
      process.stdout.write('held\n');
      setInterval(() => undefined, 60_000);
    },
    (err: Error) => {
      process.stdout.write(`${err instanceof AlreadyRunningError ? 'refused' : 'error'} ${err.message}\n`);
      process.exit(0);
    },
  ),
);
