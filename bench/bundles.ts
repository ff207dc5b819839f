/**
 * Bundle size and module load time of every Lambda function, from the synthesized cloud assembly.
 *
 *   npm run synth && npm run bench:bundles [-- --runs 7] [-- --out cdk.out]
 *
 * For each `AWS::Lambda::Function` in `cdk.out`, it reports the bundle's size (raw and gzip) and the time a
 * fresh Node.js process takes to `require` it: the local stand-in for a cold start's init phase. Each
 * measurement runs in its own process, with the function's environment from the template (intrinsics replaced
 * by placeholders) and the AWS SDK resolvable from the project's node_modules, as the Lambda runtime provides
 * it. The same run measures the smallest possible module (`exports.handler = async () => {}`) as a
 * baseline, so numbers from different machines can be compared by their difference to it.
 *
 * Not a pass/fail test. Aims from the issue: < 300 KB minified per bundle, < 100 ms load.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '..');
const AIM_BYTES = 300 * 1024;
const AIM_MS = 100;

interface Args {
  readonly out: string;
  readonly runs: number;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return { out: path.resolve(ROOT, get('out') ?? 'cdk.out'), runs: Number(get('runs') ?? 5) };
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
      const env = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k)]),
      );
      bundles.push({ id, file, env });
    }
  }
  return bundles.sort((a, b) => a.id.localeCompare(b.id));
}

/** A plausible literal for a value the template computes at deploy time. */
function placeholder(name: string): string {
  if (name === 'MSK_CLUSTER_ARN')
    return 'arn:aws:kafka:us-east-1:000000000000:cluster/campusg-bench/00000000-0000-0000-0000-000000000000-1';
  if (name.endsWith('_ARN')) return `arn:aws:lambda:us-east-1:000000000000:function:${name.toLowerCase()}`;
  return `bench-${name.toLowerCase()}`;
}

/** Milliseconds a fresh process spends in `require(file)`, median of `runs`. */
function loadTime(file: string, env: Record<string, string>, runs: number): number {
  const script = [
    'const start = process.hrtime.bigint();',
    `require(${JSON.stringify(file)});`,
    'process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));',
  ].join('\n');
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        // The Lambda runtime provides the AWS SDK; here it comes from the project's node_modules.
        NODE_PATH: path.join(ROOT, 'node_modules'),
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
    `${pad('function', 26)}${'KB'.padStart(9)}${'gzip KB'.padStart(10)}${'load ms'.padStart(10)}${'- base'.padStart(9)}  aims`,
  );
  for (const r of rows) {
    const notes = [r.bytes > AIM_BYTES ? '>300KB' : '', r.ms > AIM_MS ? '>100ms' : '']
      .filter(Boolean)
      .join(' ');
    console.log(
      `${pad(r.function, 26)}${num(r.kb, 9)}${num(r.gzipKb, 10)}${num(r.ms, 10)}${num(r.overBaseline, 9)}  ${notes || 'ok'}`,
    );
  }
}

main();
