/**
 * `npm run bench:cli`: how long a `campusg` call takes, start to exit, as a user runs it (issue 18, item 4).
 *
 * Compiles the CLI if needed (as `npm ci` does), then times fresh processes, median and fastest of RUNS:
 *   - baseline: `node -e ''`, the cost of starting Node.js itself on this machine, same run;
 *   - `campusg --help` through bin/campusg.js (the compiled CLI), and through tsx as it ran before;
 *   - `campusg topics list` and `campusg orders get <id>` against a running system (the runtime booted
 *     in this process from cdk.out, on free ports, found by the CLI through its runtime.json).
 * Aims: --help under 200 ms, a command under 500 ms. Not a test: it prints numbers.
 * Options (env): BENCH_CLI_RUNS (7).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureAssembly } from '../local/assembly';
import { LocalJwt } from '../local/http-api';
import { startRuntime } from '../local/runtime/runtime';
import { machineAtStart, machineLine, recordResults } from './support/record';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 7);
const BIN = path.join(ROOT, 'bin', 'campusg.js');
const TSX = require.resolve('tsx/cli');
const out = (l: string) => process.stdout.write(`${l}\n`);
// The AWS SDK's notice about this machine's Node.js version is noise here (the CLI silences it too).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Wall-clock milliseconds of `node args...` to exit, RUNS times; throws when a run fails. The child runs
 * asynchronously: the runtime under test lives in this process, and a synchronous spawn would stall its
 * broker and HTTP API for as long as the CLI waits on them.
 */
async function time(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout.resume();
    const [code] = (await once(child, 'close')) as [number | null];
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`);
  }
  return times.sort((a, b) => a - b);
}

const rows: { what: string; medianMs: number; fastestMs: number; aimMs?: number }[] = [];

function row(what: string, times: readonly number[], baseline: readonly number[], aim?: number): void {
  const median = times[Math.floor(times.length / 2)]!;
  rows.push({ what, medianMs: median, fastestMs: times[0]!, ...(aim !== undefined ? { aimMs: aim } : {}) });
  const base = baseline[Math.floor(baseline.length / 2)]!;
  const verdict =
    aim === undefined ? '' : median <= aim ? `  (aim < ${aim} ms: met)` : `  (aim < ${aim} ms: NOT met)`;
  out(
    `${what.padEnd(44)} median ${median.toFixed(0).padStart(5)} ms  fastest ${times[0]!.toFixed(0).padStart(5)} ms` +
      `  (${(median - base).toFixed(0)} ms over node -e '')${verdict}`,
  );
}

async function main(): Promise<void> {
  const machine = machineAtStart();
  const { buildCli } = require('../local/cli/build.js') as { buildCli(): Promise<string> };
  const buildStarted = Date.now();
  await buildCli();
  out(`CLI compiled in ${Date.now() - buildStarted} ms; ${RUNS} runs each, fresh process per run`);

  const baseline = await time(['-e', '']);
  row("baseline: node -e ''", baseline, baseline);
  row('campusg --help (compiled)', await time([BIN, '--help']), baseline, 200);
  row('campusg --help (through tsx, as before)', await time([TSX, 'local/cli/main.ts', '--help']), baseline);

  await ensureAssembly({ cwd: ROOT, assemblyDir: path.join(ROOT, 'cdk.out') });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-bench-cli-'));
  const rt = await startRuntime({
    cwd: ROOT,
    synth: false,
    kafkaPort: 0,
    httpPort: 0,
    awsPort: 0,
    quiet: true,
    stateDir,
    printError: (l) => {
      if (/crash|error/i.test(l)) process.stderr.write(`${l}\n`);
    },
  });
  try {
    const jwt = await LocalJwt.load(stateDir);
    const token = await jwt.issueToken({ sub: 'bench-cli', groups: ['customers'] });
    const post = () =>
      fetch(`${rt.endpoints.http}/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': 'bench-cli',
        },
        body: JSON.stringify({
          items: [{ name: 'Iced latte', quantity: 1, unitPriceCents: 450 }],
          deliveryLocation: 'Library L2',
          paymentMethod: 'tok_visa',
        }),
      });
    // 503 means "retry" (Retry-After: 1), safe with the same Idempotency-Key; a cold runtime can answer it.
    let res = await post();
    for (let i = 0; i < 10 && res.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      res = await post();
    }
    if (res.status !== 201) throw new Error(`POST /orders answered ${res.status}: ${await res.text()}`);
    const { orderId } = (await res.json()) as { orderId: string };
    const env = { CAMPUSG_STATE_DIR: stateDir };
    row('campusg topics list (running system)', await time([BIN, 'topics', 'list'], env), baseline, 500);
    row(
      'campusg orders get <id> (running system)',
      await time([BIN, 'orders', 'get', orderId, '--customer', 'bench-cli'], env),
      baseline,
      500,
    );
  } finally {
    await rt.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  out(machineLine(machine));
  out(`recorded in ${path.relative(ROOT, recordResults('cli', machine, { runs: RUNS, rows }))}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
