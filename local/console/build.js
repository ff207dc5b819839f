/**
 * Builds the web console's UI (local/console/ui, Preact + TSX) into dist/console with esbuild: one minified
 * app.js, plus index.html and app.css copied as they are. Everything comes from node_modules (the
 * lockfile): no CDN, works offline. Run by `npm ci` (the `prepare` script) and, when the output is missing or
 * older than a source, by the console server as it starts (local/console/server.ts). Plain CommonJS so it
 * runs before anything is compiled.
 *
 *   node local/console/build.js          build, print one line
 *   node local/console/build.js --quiet  build silently
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const UI_DIR = path.join(__dirname, 'ui');
const OUT_DIR = path.join(ROOT, 'dist', 'console');
const STATIC = ['index.html', 'app.css'];

function sources() {
  return fs
    .readdirSync(UI_DIR, { recursive: true })
    .map((f) => path.join(UI_DIR, String(f)))
    .filter((f) => fs.statSync(f).isFile());
}

/** True when an output is missing or older than a source (or than this script). */
function stale() {
  const outputs = ['app.js', ...STATIC].map((f) => path.join(OUT_DIR, f));
  if (!outputs.every((f) => fs.existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs));
  return [...sources(), __filename].some((f) => fs.statSync(f).mtimeMs > built);
}

function build({ quiet = false } = {}) {
  const started = Date.now();
  const esbuild = require('esbuild');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  esbuild.buildSync({
    entryPoints: [path.join(UI_DIR, 'main.tsx')],
    outfile: path.join(OUT_DIR, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'error',
  });
  for (const f of STATIC) fs.copyFileSync(path.join(UI_DIR, f), path.join(OUT_DIR, f));
  if (!quiet) {
    const size = fs.statSync(path.join(OUT_DIR, 'app.js')).size;
    process.stdout.write(
      `console UI built into ${path.relative(ROOT, OUT_DIR)} (app.js ${(size / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms\n`,
    );
  }
}

function buildIfStale(options) {
  if (stale()) build(options);
}

module.exports = { build, buildIfStale };

if (require.main === module) build({ quiet: process.argv.includes('--quiet') });
