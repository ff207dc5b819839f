// Mutation testing (`npm run test:mutation`, not part of `npm test`): Stryker breaks one line at a time in
// the modules where a bug costs money or messages and checks that some test fails.
//
// Each module is its own Stryker run (MUTATION_SCOPE=<module>; `npm run test:mutation` runs them one after
// another) with only the test files that exercise it in-process: every mutant run re-loads each related test
// file, so a storage mutant must not pay for the ESM suite's broker and consumers. Child-process and
// end-to-end suites stay out (they cannot see Stryker's active mutant). Per-test coverage picks the tests per
// mutant, and incremental mode re-tests only mutants whose code or covering tests changed since the last run
// (reports/mutation/<module>/incremental.json, git-ignored: it is a cache of one machine's runs, rewritten on
// every run, and would conflict between branches).
// @ts-check
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
export const MODULES = {
  // the state machines and decisions of the money path: order, payment, escrow, timer
  domain: {
    mutate: ['shared/domain/**/*.ts', '!shared/domain/notification/**', '!shared/domain/logs/**'],
    tests: [
      'test/shared/domain/{order,payment,escrow,timer}/*.test.ts',
      'test/shared/domain/*.test.ts',
      'test/docs/state-machines.test.ts',
      // the consumers and APIs drive the decisions in-process (dynalite, MemoryPublisher)
      'test/functions/{order,payment,escrow,timer}/*.test.ts',
    ],
  },
  // what the notification service and the log pipeline decide to send
  'domain-notices': {
    mutate: ['shared/domain/notification/**/*.ts', 'shared/domain/logs/**/*.ts'],
    tests: [
      'test/shared/domain/{notification,logs}/*.test.ts',
      'test/functions/{notification,logs}/*.test.ts',
    ],
  },
  // applyOnce, the entity store, batch writes, the idempotency keys
  db: {
    mutate: ['shared/db/**/*.ts', 'shared/services/apply-once.ts'],
    tests: [
      'test/shared/db/**/*.test.ts',
      'test/shared/services/apply-once*.test.ts',
      'test/functions/order/api.idempotency-key.test.ts',
    ],
  },
  // the dead-letter / retry decision of every consumer
  consumer: {
    mutate: ['shared/consumer/**/*.ts'],
    tests: ['test/shared/consumer/**/*.test.ts', 'test/shared/services/apply-once.test.ts'],
  },
  // the ESM emulator: batches, retries, bisect, on-failure destination
  esm: {
    mutate: ['local/runtime/esm.ts'],
    tests: ['test/local/runtime/esm*.test.ts'],
  },
  // broker storage (memory and file: segments, index, offsets log, format marker, lock) and its crash recovery
  storage: {
    mutate: ['local/kafka-broker/storage/*.ts', '!local/kafka-broker/storage/{types,errors}.ts'],
    tests: ['test/local/kafka-broker/storage/*.test.ts'],
  },
  // RecordBatch v2 header checks on produce, and the header fields storage reads and patches
  'record-batch': {
    mutate: ['local/kafka-broker/protocol/record-batch.ts'],
    tests: [
      'test/local/kafka-broker/protocol/record-batch*.test.ts',
      'test/local/kafka-broker/storage/*.test.ts',
    ],
  },
};

/**
 * Text that only a person reads carries no decision: a mutant that empties a log line or the wording of an
 * error message changes what an operator reads, never where a record or a payment goes. The `message-text`
 * ignorer drops the mutants inside
 * - a log call: `logger.warn(...)`, `deps.logger.error(...)`, `console.log(...)`, the ESM's `this.log(...)`;
 * - the message (first argument, when it is a string, a template or a `+` of them) of `new SomethingError(...)`.
 * The error's class, its `cause` and any field list stay mutated: callers decide on those.
 * Stryker reports these mutants as Ignored, outside the score.
 */
const LOG_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'log']);
const LOGGER_NAMES = new Set(['log', 'logger', 'console']);
const TEXT_NODES = new Set(['StringLiteral', 'TemplateLiteral']);

/** The name an expression ends in: `x` -> x, `a.b.x` -> x, `this` -> this. */
function lastName(node) {
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'ThisExpression') return 'this';
  if ((node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') && !node.computed)
    return lastName(node.property);
  return undefined;
}

function isText(node) {
  return (
    TEXT_NODES.has(node.type) ||
    (node.type === 'BinaryExpression' && node.operator === '+' && (isText(node.left) || isText(node.right)))
  );
}

function isLogCall(node) {
  if (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression') return false;
  const callee = node.callee;
  if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return false;
  const method = lastName(callee);
  const on = lastName(callee.object);
  return (LOG_METHODS.has(method) && LOGGER_NAMES.has(on)) || (on === 'this' && method === 'log');
}

function isErrorMessage(path) {
  const parent = path.parentPath?.node;
  return (
    parent?.type === 'NewExpression' &&
    /Error$/.test(lastName(parent.callee) ?? '') &&
    path.listKey === 'arguments' &&
    path.key === 0 &&
    isText(path.node)
  );
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'message-text', {
    shouldIgnore(path) {
      if (isLogCall(path.node)) return 'a log line: text for an operator, no decision';
      if (isErrorMessage(path)) return 'the wording of an error message: text for a person, no decision';
      return undefined;
    },
  }),
];

/**
 * The Stryker options for one module.
 * @param {string | undefined} scope
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
function optionsFor(scope) {
  const module = scope ? MODULES[scope] : undefined;
  if (!scope || !module) {
    throw new Error(
      `MUTATION_SCOPE=${scope ?? ''} is not a module; set it to one of ${Object.keys(MODULES).join(', ')}, ` +
        'or run `npm run test:mutation` for all of them',
    );
  }
  const out = `reports/mutation/${scope}`;
  return {
    packageManager: 'npm',
    testRunner: 'jest',
    jest: {
      projectType: 'custom',
      configFile: 'jest.config.js',
      // roots span the sources too, so that --findRelatedTests follows imports from a test to a mutated file.
      config: {
        roots: ['<rootDir>/test', '<rootDir>/shared', '<rootDir>/local', '<rootDir>/functions'],
        testMatch: module.tests.map((t) => `<rootDir>/${t}`),
        // skips, per mutant, the test files none of whose tests cover it (see the file)
        runner: '<rootDir>/test/support/mutation-test-runner.js',
      },
      enableFindRelatedTests: true,
    },
    appendPlugins: ['./stryker.config.mjs'],
    ignorers: ['message-text'],
    // No TypeScript checker: it type-checks one mutant at a time in a single process, and on this 2-core
    // machine it took about 2 s of CPU per mutant while the test runner waited for it (measured 2 Dec 2026:
    // 62 of 115 record-batch mutants in 11 minutes, checker at 4 min CPU, runner at 1). Without it a mutant
    // that would not compile still runs: ts-jest only transpiles (isolatedModules), and the tests judge it.
    // To check mutants for type errors as well: `npx stryker run --checkers typescript` with
    // MUTATION_SCOPE set (tsconfig.mutation.json lists what it checks).
    tsconfigFile: 'tsconfig.mutation.json',
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    mutate: module.mutate,
    coverageAnalysis: 'perTest',
    // A static mutant (module-level code) needs every test re-run in a fresh environment; they are few
    // constants here, and their cost would dominate the run.
    ignoreStatic: true,
    incremental: true,
    incrementalFile: `${out}/incremental.json`,
    concurrency: 2,
    // The suites start dynalite and brokers; a loaded 2-core machine needs headroom before a mutant counts
    // as an infinite loop.
    timeoutMS: 20_000,
    timeoutFactor: 2,
    dryRunTimeoutMinutes: 15,
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    // build output and artefacts no test reads: copying dist (the CLI bundles) alone took minutes when loaded
    ignorePatterns: [
      '/cdk.out',
      '/cdk.out.*',
      '/reports',
      '/.campusg',
      '/dist',
      '/test-results',
      '/coverage',
      '/data',
      '/.kafka-data',
    ],
    reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
    htmlReporter: { fileName: `${out}/mutation.html` },
    jsonReporter: { fileName: `${out}/mutation.json` },
    clearTextReporter: { reportTests: false, reportMutants: false, reportScoreTable: true },
    thresholds: { high: 90, low: 85, break: null },
  };
}

/**
 * `node stryker.config.mjs [module...]` (what `npm run test:mutation` runs): one Stryker run per module, in
 * order, then a summary line per module from its JSON report. Stryker itself imports this file with
 * MUTATION_SCOPE set and gets that module's options.
 */
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

async function main() {
  const wanted = process.argv.slice(2);
  for (const name of wanted) if (!MODULES[name]) optionsFor(name);
  const names = wanted.length ? wanted : Object.keys(MODULES);
  const started = Date.now();
  const summary = [];
  for (const name of names) {
    const t0 = Date.now();
    const loadBefore = loadavg()[0].toFixed(1);
    const run = spawnSync('npx', ['stryker', 'run'], {
      stdio: 'inherit',
      env: { ...process.env, MUTATION_SCOPE: name },
    });
    const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
    if (run.status !== 0) {
      console.error(`stryker run for ${name} failed (exit ${run.status}); see the output above`);
      process.exit(run.status ?? 1);
    }
    const load = `load ${loadBefore} -> ${loadavg()[0].toFixed(1)}`;
    summary.push(
      `${name.padEnd(13)} ${scoreOf(`reports/mutation/${name}/mutation.json`)}  (${minutes} min, ${load})`,
    );
  }
  console.log(
    '\nmutation score per module, (killed + timed out) / (killed + timed out + survived + no coverage):',
  );
  for (const line of summary) console.log(`  ${line}`);
  console.log(
    `total ${((Date.now() - started) / 60_000).toFixed(1)} min from ${new Date(started).toISOString()}; ` +
      'load is the 1-minute load average before and after; reports in reports/mutation/<module>/mutation.html',
  );
}

/** `84.2% (235 killed, 2 timeout, 44 survived, 0 no coverage)` from a mutation-testing-report-schema file. */
function scoreOf(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const count = {};
  for (const f of Object.values(report.files))
    for (const m of f.mutants) count[m.status] = (count[m.status] ?? 0) + 1;
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
  const valid = detected + (count.Survived ?? 0) + (count.NoCoverage ?? 0);
  const score = valid ? ((100 * detected) / valid).toFixed(1) : 'n/a';
  return `${score}% (${count.Killed ?? 0} killed, ${count.Timeout ?? 0} timeout, ${count.Survived ?? 0} survived, ${count.NoCoverage ?? 0} no coverage)`;
}

export default isMain ? {} : optionsFor(process.env.MUTATION_SCOPE);
if (isMain) await main();
