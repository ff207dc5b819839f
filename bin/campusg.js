#!/usr/bin/env node
// The `campusg` command. Runs the CLI compiled ahead of time (dist/cli/campusg.js, built by the `prepare`
// script that `npm ci` runs) under plain node. When that is missing or older than its sources it is rebuilt
// first (a few hundred ms, once); should esbuild fail, the TypeScript runs through tsx, so the command works.
const { buildCli, outputsFor, staleOutputs, OUT_FILE, OUT_DIR } = require('../local/cli/build.js');

/**
 * V8's code cache for the CLI's bundles: compiling the bundle of a command was about 150 ms of CPU on every
 * call, most of a short command's time (issue 18). Node 22 keeps such a cache itself
 * (`module.enableCompileCache`). On Node 20 this keeps one cache file per bundle in
 * $TMPDIR/campusg-cli-v8-<uid>/<node version>/, named by the bundle's size and mtime, so a rebuilt bundle
 * gets a new one. The cache is written after the first run of a bundle, when it also covers the functions
 * that ran. A missing, stale or rejected cache only means a normal compile.
 */
function useCodeCache() {
  const Module = require('node:module');
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache();
    return;
  }
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const vm = require('node:vm');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  const cacheDir = path.join(os.tmpdir(), `campusg-cli-v8-${uid}`, process.version);
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (path.dirname(filename) !== OUT_DIR) return compile.call(this, content, filename);
    let cacheFile;
    let cachedData;
    try {
      const st = fs.statSync(filename);
      cacheFile = path.join(cacheDir, `${path.basename(filename)}-${st.size}-${Math.trunc(st.mtimeMs)}.v8`);
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // no cache yet
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cacheFile && (!cachedData || script.cachedDataRejected)) {
      process.once('exit', () => {
        try {
          fs.mkdirSync(cacheDir, { recursive: true });
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          fs.writeFileSync(tmp, script.createCachedData());
          fs.renameSync(tmp, cacheFile);
          // the caches of this bundle's earlier builds are of no further use
          const prefix = `${path.basename(filename)}-`;
          for (const f of fs.readdirSync(cacheDir)) {
            if (f.startsWith(prefix) && f.endsWith('.v8') && path.join(cacheDir, f) !== cacheFile)
              fs.rmSync(path.join(cacheDir, f), { force: true });
          }
        } catch {
          // a cache that cannot be written costs only speed
        }
      });
    }
    const mod = this;
    const requireFn = (id) => mod.require(id);
    requireFn.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    requireFn.main = require.main;
    requireFn.cache = Module._cache;
    return script
      .runInThisContext({ displayErrors: true })
      .call(mod.exports, mod.exports, requireFn, mod, filename, path.dirname(filename));
  };
}
useCodeCache();

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
