/**
 * Finds what a Lambda asset would need from outside itself. Lambda runs a Node.js bundle from its asset
 * directory (`/var/task`) with nothing else on the module path that the project controls, so every
 * `require(...)`, `import` or `import(...)` a bundle keeps must be a Node.js built-in or a file inside the
 * asset. This module lists the ones that are not, by letting esbuild parse the handler file (every import
 * marked external, so nothing is resolved against the machine it runs on) and following relative imports
 * that stay inside the asset.
 *
 * Used by the assembly test (test/infra/campusg-app.bundles.test.ts), by the local function host before it starts any
 * function process, and by `campusg preflight`.
 */
import { existsSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { build, type ImportKind, type Message } from 'esbuild';

/** One import that Lambda could not satisfy from the asset and Node.js alone. */
export interface ForeignImport {
  /** The file of the asset that imports it, relative to the asset directory. */
  readonly file: string;
  /** The specifier as written: `@aws-sdk/util-utf8-browser`, `../shared/x.js`. */
  readonly specifier: string;
  /** How it is imported (esbuild's kind: `require-call`, `import-statement`, `dynamic-import`, ...). */
  readonly kind: ImportKind;
  /** Why it cannot be satisfied. */
  readonly reason: 'package not in the asset' | 'file outside the asset' | 'file missing';
}

/** An import esbuild could not read statically (`require(name)` with a computed name); reported, not judged. */
export interface UncheckedImport {
  readonly file: string;
  readonly message: string;
}

export interface BundleImportReport {
  readonly assetDir: string;
  /** The files that were read, relative to the asset directory. */
  readonly files: readonly string[];
  readonly foreign: readonly ForeignImport[];
  readonly unchecked: readonly UncheckedImport[];
}

export interface FindForeignImportsOptions {
  /** The entry module, relative to the asset: `index` for handler `index.handler`. Default `index`. */
  readonly module?: string;
}

const MODULE_EXTENSIONS = ['.js', '.cjs', '.mjs'];
const RESOLVE_EXTENSIONS = [
  '',
  '.js',
  '.cjs',
  '.mjs',
  '.json',
  '.node',
  '/index.js',
  '/index.cjs',
  '/index.mjs',
];

/** The entry file of a handler module in an asset (`index` -> `<asset>/index.js`), or undefined. */
export function entryFile(assetDir: string, module = 'index'): string | undefined {
  for (const ext of MODULE_EXTENSIONS) {
    const candidate = path.join(assetDir, module + ext);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function resolveFile(base: string): string | undefined {
  for (const ext of RESOLVE_EXTENSIONS) {
    const candidate = base + ext;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Whether `<asset>/node_modules/<package>` exists between the importing file and the asset root. */
function packageInAsset(assetDir: string, fromFile: string, specifier: string): boolean {
  const name = packageName(specifier);
  for (let dir = path.dirname(fromFile); inside(assetDir, dir) || dir === assetDir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', name))) return true;
    if (dir === assetDir) break;
  }
  return false;
}

/** The imports of one file as written, without resolving any of them. */
async function importsOf(
  file: string,
): Promise<{ imports: { path: string; kind: ImportKind }[]; warnings: Message[] }> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: file.endsWith('.mjs') ? 'esm' : 'cjs',
    external: ['*'],
    logLevel: 'silent',
  });
  const imports = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.map((i) => ({ path: i.original ?? i.path, kind: i.kind })),
  );
  return { imports, warnings: result.warnings };
}

/**
 * Every import of an asset's handler module (and of the asset files it imports) that is neither a Node.js
 * built-in nor satisfied inside the asset. An empty `foreign` list means the asset is self-contained.
 */
export async function findForeignImports(
  assetDir: string,
  options: FindForeignImportsOptions = {},
): Promise<BundleImportReport> {
  const root = path.resolve(assetDir);
  const entry = entryFile(root, options.module);
  if (!entry) {
    throw new Error(
      `no ${options.module ?? 'index'}.js, .cjs or .mjs in ${root}: the asset has no handler module to check`,
    );
  }
  const foreign: ForeignImport[] = [];
  const unchecked: UncheckedImport[] = [];
  const seen = new Set<string>();
  const reported = new Set<string>();
  const report = (i: ForeignImport) => {
    const key = `${i.file}|${i.specifier}|${i.kind}`;
    if (!reported.has(key)) {
      reported.add(key);
      foreign.push(i);
    }
  };
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const rel = path.relative(root, file);
    if (!/\.(c|m)?js$/.test(file)) continue; // JSON and native addons have no imports to follow
    const { imports, warnings } = await importsOf(file);
    for (const w of warnings) {
      if (/require|import/.test(w.id) || /require|import/.test(w.text))
        unchecked.push({ file: rel, message: w.text });
    }
    for (const imp of imports) {
      const spec = imp.path;
      if (isBuiltin(spec)) continue;
      if (spec.startsWith('.') || path.isAbsolute(spec)) {
        const target = path.resolve(path.dirname(file), spec);
        if (!inside(root, target)) {
          report({ file: rel, specifier: spec, kind: imp.kind, reason: 'file outside the asset' });
          continue;
        }
        const resolved = resolveFile(target);
        if (!resolved) report({ file: rel, specifier: spec, kind: imp.kind, reason: 'file missing' });
        else queue.push(resolved);
        continue;
      }
      if (!packageInAsset(root, file, spec)) {
        report({ file: rel, specifier: spec, kind: imp.kind, reason: 'package not in the asset' });
      }
    }
  }
  return { assetDir: root, files: [...seen].map((f) => path.relative(root, f)), foreign, unchecked };
}

/** One line per foreign import, for logs and errors: `index.js requires '@aws-sdk/x' (package not in the asset)`. */
export function describeForeignImport(i: ForeignImport): string {
  const verb = i.kind === 'require-call' || i.kind === 'require-resolve' ? 'requires' : 'imports';
  return `${i.file} ${verb} '${i.specifier}' (${i.reason})`;
}
