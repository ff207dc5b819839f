/**
 * Compiles the `campusg` CLI ahead of time (issue 18): esbuild bundles local/cli/main.ts and the project
 * code it reaches into dist/cli/campusg.js, leaving every npm package external, so a call runs plain
 * `node` instead of compiling TypeScript through tsx each time. main.ts loads each command's modules only
 * when that command runs; in the bundle those modules are still initialized lazily.
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

/** Builds the CLI; resolves with the output path. Writes through a temporary file, so a concurrent
 * reader (another `campusg` starting while this one builds) sees the old bundle or the new one, whole. */
async function buildCli() {
  const esbuild = require('esbuild');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  // Taken before the sources are read, so an edit made during the build counts as newer than it.
  const builtAt = Date.now();
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'local', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile: OUT_FILE,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [keepDirname],
  });
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/'));
  // The build script and package.json shape the output too.
  inputs.push('local/cli/build.js', 'package.json');
  const suffix = `.${process.pid}.tmp`;
  // The bundle (and its source map) first, the list of inputs last: a build cut short leaves an older
  // list, which makes the next call rebuild.
  for (const file of result.outputFiles) {
    fs.writeFileSync(file.path + suffix, file.contents);
    fs.renameSync(file.path + suffix, file.path);
  }
  fs.writeFileSync(INPUTS_FILE + suffix, `${JSON.stringify({ builtAt, inputs }, null, 1)}\n`);
  fs.renameSync(INPUTS_FILE + suffix, INPUTS_FILE);
  return OUT_FILE;
}

/**
 * The compiled CLI when it exists and no input changed since it was built; undefined otherwise.
 * Costs one stat per input (about a hundred files), a few milliseconds.
 */
function freshBuild() {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(INPUTS_FILE, 'utf8'));
    fs.accessSync(OUT_FILE);
  } catch {
    return undefined;
  }
  for (const input of manifest.inputs) {
    try {
      if (fs.statSync(path.join(ROOT, input)).mtimeMs > manifest.builtAt) return undefined;
    } catch {
      return undefined;
    }
  }
  return OUT_FILE;
}

module.exports = { buildCli, freshBuild, OUT_FILE };

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
