#!/usr/bin/env node
// The `campusg` command. Runs the CLI compiled ahead of time (dist/cli/campusg.js, built by the `prepare`
// script that `npm ci` runs) under plain node. When that is missing or older than its sources it is rebuilt
// first (a few hundred ms, once); should esbuild fail, the TypeScript runs through tsx, so the command works.
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

loadCli()
  .then((cli) => cli.main(process.argv))
  .catch((err) => {
    process.stderr.write(`campusg: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
