/**
 * Compiles the `campusg` CLI ahead of time (issue 18), so a call runs plain `node` instead of compiling
 * TypeScript through tsx each time. esbuild writes one bundle per command file (dist/cli/command-<name>.js)
 * and a small one for local/cli/main.ts (dist/cli/campusg.js: commander and the command list). main.ts
 * requires a command's file only when that command runs, so `campusg topics list` reads the main bundle
 * and the topics bundle, nothing else. npm packages are bundled in as well: resolving and reading the
 * hundreds of small files of kafkajs, zod, jose and the AWS SDK was most of a short command's time.
 * Packages that find files next to themselves, ship native code or are tools of their own stay external.
 *
 * Run by `npm ci` (the `prepare` script) and on demand by bin/campusg.js when the output is missing or
 * older than one of its inputs (dist/cli/inputs.json lists them). Plain CommonJS: it must run before
 * anything is compiled.
 *
 *   node local/cli/build.js          build, print one line
 *   node local/cli/build.js --quiet  build silently (bin/campusg.js's on-demand build)
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT_DIR = path.join(ROOT, 'dist', 'cli');
const OUT_FILE = path.join(OUT_DIR, 'campusg.js');
const INPUTS_FILE = path.join(OUT_DIR, 'inputs.json');
const COMMANDS_DIR = path.join(ROOT, 'local', 'cli', 'commands');

/** Packages loaded from node_modules at run time rather than bundled. */
const EXTERNAL = [
  'dynalite',
  'esbuild',
  'tsx',
  'aws-cdk-lib',
  'aws-cdk',
  'constructs',
  'cdk-nag',
  '@cloud-copilot/*',
  '@node-rs/*',
];

/** The command files: every .ts file under local/cli/commands, each its own entry point. */
function commandFiles() {
  return fs
    .readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/**
 * main.ts loads a command with `require('./commands/<name>')`. In the main bundle that require stays a
 * require, of the command's own bundle next to it, instead of pulling every command into one file.
 */
const commandsApart = {
  name: 'commands-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[\w-]+$/ }, (args) => {
      if (path.resolve(args.importer) !== path.join(ROOT, 'local', 'cli', 'main.ts')) return undefined;
      return { path: `./command-${path.basename(args.path)}.js`, external: true };
    });
  },
};

/**
 * Code that finds files next to itself (the function worker, the dynalite process) uses `__dirname`; in
 * a bundle that would be dist/cli. This rewrites it, in the project's own files only, to the source
 * folder expressed relative to the bundle, so the output keeps working wherever the clone lives.
 */
const keepDirname = {
  name: 'keep-dirname',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await fs.promises.readFile(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source)) return { contents: source, loader: 'ts' };
      const rel = (p) => JSON.stringify(path.relative(OUT_DIR, p).split(path.sep).join('/'));
      const contents = source
        .replace(/\b__dirname\b/g, `require('node:path').join(__dirname, ${rel(path.dirname(args.path))})`)
        .replace(/\b__filename\b/g, `require('node:path').join(__dirname, ${rel(args.path)})`);
      return { contents, loader: 'ts' };
    });
  },
};

/** Every output of the build by name (dist/cli/<name>.js) and the source it starts from. */
function entries() {
  return {
    campusg: path.join(ROOT, 'local', 'cli', 'main.ts'),
    ...Object.fromEntries(commandFiles().map((c) => [`command-${c}`, path.join(COMMANDS_DIR, `${c}.ts`)])),
  };
}

/** The outputs a call of `campusg <argv>` loads: the main bundle and the bundle of the command it names. */
function outputsFor(argv) {
  const words = argv.filter((a) => !a.startsWith('-'));
  // `campusg help topics` shows the help of `topics` (the same rule as commandWord in main.ts).
  const word = words[0] === 'help' ? words[1] : words[0];
  return word && entries()[`command-${word}`] ? ['campusg', `command-${word}`] : ['campusg'];
}

function readManifest() {
  try {
    const manifest = JSON.parse(fs.readFileSync(INPUTS_FILE, 'utf8'));
    return manifest && typeof manifest.outputs === 'object' ? manifest : { outputs: {} };
  } catch {
    return { outputs: {} };
  }
}

/**
 * Builds the named outputs (all by default); resolves with the main bundle's path. Every file is written
 * through a temporary file, so a concurrent reader (another `campusg` starting meanwhile) sees an old
 * bundle or a new one, whole. dist/cli/inputs.json records, per output, when it was built and the project
 * files it was built from.
 */
async function buildCli(names = Object.keys(entries())) {
  const esbuild = require('esbuild');
  const all = entries();
  fs.mkdirSync(OUT_DIR, { recursive: true });
  // Taken before the sources are read, so an edit made during the build counts as newer than it.
  const builtAt = Date.now();
  const result = await esbuild.build({
    // Every output sits in dist/cli itself, so keepDirname's relative paths hold for all of them.
    entryPoints: Object.fromEntries(names.map((n) => [n, all[n]])),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: EXTERNAL,
    outdir: OUT_DIR,
    // Minified: a short command's time went mostly to reading, decoding and compiling its bundle (3 MB
    // unminified); the linked source maps still lead a stack trace back to the TypeScript.
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [keepDirname, commandsApart],
  });
  const suffix = `.${process.pid}.tmp`;
  // The bundles (and source maps) first, the list of inputs last: a build cut short leaves an older list,
  // which makes the next call rebuild.
  for (const file of result.outputFiles) {
    fs.writeFileSync(file.path + suffix, file.contents);
    fs.renameSync(file.path + suffix, file.path);
  }
  const manifest = readManifest();
  for (const [outFile, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = path.basename(outFile, '.js');
    const inputs = Object.keys(meta.inputs).filter((p) => !p.includes('node_modules/'));
    // The build script, package.json, the lockfile (the bundled packages' versions) and patches/ shape every
    // output; the commands folder shapes the main one (a new command file needs a bundle of its own).
    inputs.push('local/cli/build.js', 'package.json', 'package-lock.json', 'patches');
    if (name === 'campusg') inputs.push('local/cli/commands');
    manifest.outputs[name] = { builtAt, inputs };
  }
  fs.writeFileSync(INPUTS_FILE + suffix, `${JSON.stringify(manifest, null, 1)}\n`);
  fs.renameSync(INPUTS_FILE + suffix, INPUTS_FILE);
  return OUT_FILE;
}

/**
 * The names among `names` whose bundle is missing or older than one of its inputs. Costs one stat per
 * input (a few hundred files), a few milliseconds.
 */
function staleOutputs(names) {
  const manifest = readManifest();
  return names.filter((name) => {
    const entry = manifest.outputs[name];
    if (!entry || !fs.existsSync(path.join(OUT_DIR, `${name}.js`))) return true;
    return entry.inputs.some((input) => {
      try {
        return fs.statSync(path.join(ROOT, input)).mtimeMs > entry.builtAt;
      } catch {
        return true;
      }
    });
  });
}

/** The compiled CLI when every output this call needs is up to date; undefined otherwise. */
function freshBuild(argv = []) {
  return staleOutputs(outputsFor(argv)).length === 0 ? OUT_FILE : undefined;
}

module.exports = { buildCli, freshBuild, staleOutputs, outputsFor, OUT_FILE, OUT_DIR };

if (require.main === module) {
  const quiet = process.argv.includes('--quiet');
  const started = Date.now();
  buildCli().then(
    (file) => {
      if (!quiet)
        console.log(`campusg CLI compiled to ${path.relative(ROOT, file)} in ${Date.now() - started} ms`);
    },
    (err) => {
      process.stderr.write(
        `campusg CLI build failed: ${err instanceof Error ? err.message : String(err)}\n` +
          'The `campusg` command still works: bin/campusg.js falls back to running the TypeScript through tsx.\n',
      );
      // A failed build must not fail `npm ci`: the fallback covers it.
      process.exitCode = 0;
    },
  );
}
