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
import { pathToFileURL } from 'node:url';

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
export const MODULES = {
  // the state machines and decisions of the money path: order, payment, escrow, timer
  domain: {
    mutate: ['shared/domain/**/*.ts', '!shared/domain/notification/**', '!shared/domain/logs/**'],
    tests: [
      'test/shared/domain/{order,payment,escrow,timer}/*.test.ts',
      'test/shared/domain/*.test.ts',
      'test/docs/state-machines.test.ts',
    ],
  },
  // what the notification service and the log pipeline decide to send
  'domain-notices': {
    mutate: ['shared/domain/notification/**/*.ts', 'shared/domain/logs/**/*.ts'],
    tests: ['test/shared/domain/{notification,logs}/*.test.ts'],
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
  // broker storage and its crash recovery
  storage: {
    mutate: ['local/kafka-broker/storage/memory.ts', 'local/kafka-broker/storage/file.ts'],
    tests: ['test/local/kafka-broker/storage/**/*.test.ts', 'test/local/kafka-broker/memory-storage.test.ts'],
  },
  // RecordBatch v2 header checks on produce
  'record-batch': {
    mutate: ['local/kafka-broker/protocol/record-batch.ts'],
    tests: [
      'test/local/kafka-broker/protocol/**/*.test.ts',
      'test/local/kafka-broker/protocol.test.ts',
      'test/local/kafka-broker/memory-storage.test.ts',
    ],
  },
};

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
      },
      enableFindRelatedTests: true,
    },
    checkers: ['typescript'],
    // Only the mutated modules and their imports: a type error elsewhere in the tree cannot stop the run.
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
    ignorePatterns: ['cdk.out', 'cdk.out.*', 'reports', '.campusg'],
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
    const run = spawnSync('npx', ['stryker', 'run'], {
      stdio: 'inherit',
      env: { ...process.env, MUTATION_SCOPE: name },
    });
    const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
    if (run.status !== 0) {
      console.error(`stryker run for ${name} failed (exit ${run.status}); see the output above`);
      process.exit(run.status ?? 1);
    }
    summary.push(`${name.padEnd(13)} ${scoreOf(`reports/mutation/${name}/mutation.json`)}  (${minutes} min)`);
  }
  console.log(
    '\nmutation score per module, (killed + timed out) / (killed + timed out + survived + no coverage):',
  );
  for (const line of summary) console.log(`  ${line}`);
  console.log(
    `total ${((Date.now() - started) / 60_000).toFixed(1)} min; reports in reports/mutation/<module>/mutation.html`,
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
