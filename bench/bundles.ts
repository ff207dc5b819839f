/**
 * Bundle size and module load time of every Lambda function, from the synthesized cloud assembly.
 *
 *   npm run synth && npm run bench:bundles [-- --runs 7] [-- --out cdk.out] [-- --variants OrderConsumer,OrderApiFunction]
 *
 * For each `AWS::Lambda::Function` in `cdk.out`, it reports the bundle's size (raw and gzip) and the time a
 * fresh Node.js process takes to `require` it: the local stand-in for a cold start's init phase. Each
 * measurement runs in its own process, from the asset directory, with no NODE_PATH (bundles are
 * self-contained: only Node.js built-ins come from outside) and the function's environment from the
 * template (intrinsics replaced by placeholders, NODE_OPTIONS=--enable-source-maps included). The same run
 * measures the smallest possible module (`exports.handler = async () => {}`) as a baseline, so numbers from
 * different machines can be compared by their difference to it.
 *
 * `--variants <ids>` also rebuilds those functions' entry points with esbuild, with the house bundling
 * options (HOUSE_BUNDLING) and with one option changed at a time, into a temporary directory outside the
 * project: what bundling the AWS SDK costs (`sdk external`, loaded with NODE_PATH to the project's SDK the
 * way Lambda's runtime would provide its own) and what tree shaking, `mainFields` and minification save.
 *
 * Not a pass/fail test. Aims from issue 10: <= 600 KB minified per bundle, <= 150 ms load.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, buildSync } from 'esbuild';
import { ALL_FUNCTIONS } from '../infra/catalogue';
import { HOUSE_BUNDLING } from '../infra/constructs/campusg-function';

const ROOT = path.resolve(__dirname, '..');
const AIM_BYTES = 600 * 1024;
const AIM_MS = 150;

interface Args {
  readonly out: string;
  readonly runs: number;
  readonly variants: readonly string[];
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    out: path.resolve(ROOT, get('out') ?? 'cdk.out'),
    runs: Number(get('runs') ?? 5),
    variants: (get('variants') ?? '').split(',').filter(Boolean),
  };
}

interface FunctionBundle {
  readonly id: string;
  readonly file: string;
  readonly env: Record<string, string>;
}

/** Every function bundle of the assembly, with its template environment made literal. */
function findBundles(outdir: string): FunctionBundle[] {
  const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  const bundles: FunctionBundle[] = [];
  for (const t of templates) {
    const template = JSON.parse(readFileSync(path.join(outdir, t), 'utf8'));
    for (const [id, resource] of Object.entries<Record<string, any>>(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      const vars: Record<string, unknown> = resource.Properties?.Environment?.Variables ?? {};
      // CampusG functions only (CDK's own custom-resource providers are not ours to measure).
      const ours = 'CAMPUSG_SERVICE' in vars || id.startsWith('TopicsTopicAdminFunction');
      if (!assetPath || !ours) continue;
      const file = path.join(outdir, assetPath, 'index.js');
      if (!existsSync(file)) continue;
      bundles.push({ id, file, env: literalEnv(vars) });
    }
  }
  return bundles.sort((a, b) => a.id.localeCompare(b.id));
}

function literalEnv(vars: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k)]),
  );
}

/** A plausible literal for a value the template computes at deploy time. */
function placeholder(name: string): string {
  if (name === 'MSK_CLUSTER_ARN')
    return 'arn:aws:kafka:us-east-1:000000000000:cluster/campusg-bench/00000000-0000-0000-0000-000000000000-1';
  if (name.endsWith('_ARN')) return `arn:aws:lambda:us-east-1:000000000000:function:${name.toLowerCase()}`;
  return `bench-${name.toLowerCase()}`;
}

/** Milliseconds a fresh process spends in `require(file)`, median of `runs`, run from the file's directory. */
function loadTime(file: string, env: Record<string, string>, runs: number, nodePath?: string): number {
  const script = [
    'const start = process.hrtime.bigint();',
    `require(${JSON.stringify(file)});`,
    'process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));',
  ].join('\n');
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: path.dirname(file),
      env: {
        PATH: process.env.PATH ?? '',
        ...(nodePath ? { NODE_PATH: nodePath } : {}),
        AWS_REGION: 'us-east-1',
        AWS_LAMBDA_FUNCTION_NAME: 'bench',
        ...env,
      },
      encoding: 'utf8',
    });
    samples.push(Number(out));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** esbuild options equivalent to the CDK's bundling command for HOUSE_BUNDLING. */
function houseOptions(): BuildOptions {
  const aliases = ((HOUSE_BUNDLING.esbuildArgs?.['--alias'] ?? []) as string[]).map((a) => a.split('='));
  return {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: HOUSE_BUNDLING.target,
    minify: HOUSE_BUNDLING.minify,
    sourcemap: HOUSE_BUNDLING.sourceMap ? 'external' : false,
    sourcesContent: HOUSE_BUNDLING.sourcesContent,
    mainFields: HOUSE_BUNDLING.mainFields,
    external: HOUSE_BUNDLING.externalModules ?? [],
    alias: Object.fromEntries(aliases.map(([name, target]) => [name!, path.resolve(ROOT, target!)])),
    absWorkingDir: ROOT,
    logLevel: 'error',
  };
}

interface Variant {
  readonly name: string;
  readonly options: BuildOptions;
  /** The runtime would provide these modules (the SDK): loaded with NODE_PATH to the project's. */
  readonly providedByRuntime?: boolean;
}

function variants(): Variant[] {
  const house = houseOptions();
  return [
    { name: 'house (all bundled)', options: house },
    { name: 'sdk external', options: { ...house, external: ['@aws-sdk/*'] }, providedByRuntime: true },
    { name: 'mainFields main,module', options: { ...house, mainFields: ['main', 'module'] } },
    { name: 'no tree shaking', options: { ...house, treeShaking: false } },
    { name: 'not minified', options: { ...house, minify: false } },
  ];
}

function measureVariants(ids: readonly string[], runs: number): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'campusg-bench-variants-'));
  try {
    console.log(`\nbundling variants (esbuild, one option changed at a time), median of ${runs} runs`);
    console.log(
      `${'function / variant'.padEnd(46)}${'KB'.padStart(8)}${'gzip KB'.padStart(10)}${'load ms'.padStart(10)}`,
    );
    for (const id of ids) {
      const spec = ALL_FUNCTIONS.find((f) => f.id === id);
      if (!spec) {
        console.log(`${id}: not a function of infra/catalogue.ts`);
        continue;
      }
      for (const v of variants()) {
        const outdir = path.join(dir, `${id}-${v.name.replace(/[^a-z0-9]+/gi, '-')}`);
        mkdirSync(outdir, { recursive: true });
        const outfile = path.join(outdir, 'index.js');
        buildSync({ ...v.options, entryPoints: [path.join(ROOT, spec.entry)], outfile });
        const bytes = statSync(outfile).size;
        const gzip = gzipSync(readFileSync(outfile)).length;
        const env = { NODE_OPTIONS: '--enable-source-maps', CAMPUSG_SERVICE: spec.service };
        const ms = loadTime(
          outfile,
          env,
          runs,
          v.providedByRuntime ? path.join(ROOT, 'node_modules') : undefined,
        );
        console.log(
          `${`${id} / ${v.name}`.padEnd(46)}${(bytes / 1024).toFixed(1).padStart(8)}${(gzip / 1024).toFixed(1).padStart(10)}${ms.toFixed(1).padStart(10)}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(args.out)) {
    console.error(`no cloud assembly at ${args.out}: run \`npm run synth\` first`);
    process.exit(1);
  }
  const bundles = findBundles(args.out);
  if (bundles.length === 0) {
    console.error(`no bundled functions in ${args.out} (asset metadata missing?): run \`npm run synth\``);
    process.exit(1);
  }

  const baselineDir = mkdtempSync(path.join(tmpdir(), 'campusg-bench-'));
  const baselineFile = path.join(baselineDir, 'index.js');
  writeFileSync(baselineFile, 'exports.handler = async () => {};\n');
  const baseline = loadTime(baselineFile, {}, args.runs);
  rmSync(baselineDir, { recursive: true, force: true });

  const rows = bundles.map((b) => {
    const bytes = statSync(b.file).size;
    const gzip = gzipSync(readFileSync(b.file)).length;
    const ms = loadTime(b.file, b.env, args.runs);
    return { function: b.id, kb: bytes / 1024, gzipKb: gzip / 1024, ms, overBaseline: ms - baseline, bytes };
  });

  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number, n: number) => v.toFixed(1).padStart(n);
  console.log(
    `bundle size and require() time in a fresh process, median of ${args.runs} runs (node ${process.version})`,
  );
  console.log(`baseline (empty module): ${baseline.toFixed(2)} ms\n`);
  console.log(
    `${pad('function', 34)}${'KB'.padStart(9)}${'gzip KB'.padStart(10)}${'load ms'.padStart(10)}${'- base'.padStart(9)}  aims`,
  );
  for (const r of rows) {
    const notes = [r.bytes > AIM_BYTES ? '>600KB' : '', r.ms > AIM_MS ? '>150ms' : '']
      .filter(Boolean)
      .join(' ');
    console.log(
      `${pad(r.function, 34)}${num(r.kb, 9)}${num(r.gzipKb, 10)}${num(r.ms, 10)}${num(r.overBaseline, 9)}  ${notes || 'ok'}`,
    );
  }
  if (args.variants.length > 0) measureVariants(args.variants, args.runs);
}

main();
