#!/usr/bin/env node
// The `campusg` command. Runs the CLI compiled ahead of time (dist/cli/campusg.js, built by the `prepare`
// script that `npm ci` runs) under plain node. When that is missing or older than its sources it is rebuilt
// first (a few hundred ms, once); should esbuild fail, the TypeScript runs through tsx, so the command works.
// V8's code cache for the bundles: compiling a command's bundle was about 150 ms of CPU on every call, and a
// cached compile a third of that (issue 18). Node 22 has it built in; on Node 20 the v8-compile-cache package
// keeps it, in $TMPDIR/v8-compile-cache-<uid>, keyed by file and Node version.
const nodeModule = require('node:module');
if (typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache();
else require('v8-compile-cache');

const { buildCli, outputsFor, staleOutputs, OUT_FILE } = require('../local/cli/build.js');

async function loadCli() {
  // Only the main bundle and the bundle of the command this call runs need to be current.
  const stale = staleOutputs(outputsFor(process.argv.slice(2)));
  if (stale.length === 0) return require(OUT_FILE);
  let built;
  try {
    built = await buildCli(stale);
  } catch (err) {
    process.stderr.write(
      `campusg: could not compile the CLI (${err instanceof Error ? err.message : String(err)}); ` +
        'running the TypeScript through tsx instead (slower). `node local/cli/build.js` shows the error.\n',
    );
    require('tsx/cjs/api').register();
    return require('../local/cli/main.ts');
  }
  return require(built);
}

/**
 * Ends the process once the command has finished and what it printed has reached stdout and stderr. Left to
 * itself, Node.js would wait for fetch's idle keep-alive sockets to time out, which held a finished
 * `campusg orders get` open for a further 200-600 ms (issue 18). The long-running commands (`start`, `broker`,
 * `bridge`, `consume --follow`) finish only when they have stopped, so this never cuts one short.
 */
function exitWhenFlushed() {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit();
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

loadCli()
  .then((cli) => cli.main(process.argv))
  .then(exitWhenFlushed)
  .catch((err) => {
    process.stderr.write(`campusg: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
