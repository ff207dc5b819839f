#!/usr/bin/env node
// The `campusg` command: runs the TypeScript CLI through tsx, so no build step is needed.
require('tsx/cjs/api').register();
require('../local/cli/main.ts')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`campusg: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
