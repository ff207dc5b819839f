/**
 * dynalite in its own process, so table I/O does not compete with the broker and the event-source
 * mappings for the runtime's event loop. Options arrive as JSON in argv[2]; the bound port goes back over
 * IPC; the process exits when its parent disconnects (also when the parent is killed) or sends SIGTERM.
 *
 * Shutdown belongs to the runtime: Ctrl-C in a terminal sends SIGINT to the whole foreground process group,
 * this process included, and dying then would cut table writes of functions still finishing short. So
 * SIGINT is ignored here; the runtime stops this process after the functions (SIGTERM, or disconnect).
 *
 * With a data directory, LevelDB's own lock (an OS lock on <path>/LOCK) keeps two processes off the same
 * tables. After a crash of the runtime, the previous dynalite may still be exiting while a new start opens
 * the directory: wait for it (bounded) instead of failing every table call.
 */
const path = require('node:path');

const opts = JSON.parse(process.argv[2] || '{}');
const dynaliteDir = path.dirname(require.resolve('dynalite/package.json'));
const dynalite = require('dynalite');
const LOCK_WAIT_MS = 20_000;

process.on('SIGINT', () => {});

async function waitForLevelLock(dir) {
  const { Level } = require(require.resolve('level', { paths: [dynaliteDir] }));
  const until = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    const db = new Level(dir);
    try {
      await db.open();
      await db.close();
      return;
    } catch (err) {
      const code = err.cause?.code ?? err.code;
      if (code !== 'LEVEL_LOCKED') throw err;
      if (Date.now() > until) {
        throw Object.assign(
          new Error(
            `the tables in ${dir} are locked by another process (LevelDB LOCK) after ${LOCK_WAIT_MS / 1000} s: another runtime uses this data directory; stop it or choose another --data-dir`,
          ),
          { code: 'LEVEL_LOCKED' },
        );
      }
      if (!told) process.stderr.write(`dynalite: waiting for the previous process to release ${dir}\n`);
      told = true;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function main() {
  if (opts.path) await waitForLevelLock(opts.path);
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(opts.path ? { path: opts.path } : {}),
  });
  server.on('error', fail);
  server.listen(opts.port || 0, opts.host || '127.0.0.1', () => {
    process.send?.({ type: 'ready', port: server.address().port });
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Bounded: closing waits for open requests and LevelDB's close; a data directory's writes are already
    // in LevelDB's log, so a forced exit loses nothing acknowledged.
    setTimeout(() => process.exit(0), 5000).unref();
    server.close(() => process.exit(0));
    server.closeIdleConnections?.();
  };
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
}

/** Tells the parent why (the message is flushed before exiting), then exits 1. */
function fail(err) {
  if (!process.connected) process.exit(1);
  process.send({ type: 'error', code: err.code, message: err.message }, () => process.exit(1));
}

main().catch(fail);
