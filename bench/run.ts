/**
 * Runs every benchmark in `bench/` (each `*.ts` file except this one), one after another, each in its own
 * process so that one benchmark's servers and heap do not disturb the next. Benchmarks report numbers;
 * they never pass or fail, but a benchmark that crashes makes this runner exit non-zero.
 *
 *   npm run bench               all benchmarks
 *   npm run bench -- broker     only those whose file name contains "broker"
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

function main(): void {
  const filters = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== path.basename(__filename))
    .filter((f) => filters.length === 0 || filters.some((want) => f.includes(want)))
    .sort();
  if (files.length === 0) {
    process.stdout.write(
      `no benchmarks in ${__dirname}${filters.length ? ` matching ${filters.join(', ')}` : ''}\n`,
    );
    return;
  }
  const tsx = require.resolve('tsx/cli');
  const failed: string[] = [];
  for (const file of files) {
    process.stdout.write(`\n=== bench/${file} ===\n`);
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [tsx, path.join(__dirname, file)], { stdio: 'inherit' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const status = result.error
      ? result.error.message
      : result.signal
        ? `signal ${result.signal}`
        : `exit ${result.status}`;
    process.stdout.write(`=== bench/${file}: ${status} after ${seconds.toFixed(1)} s ===\n`);
    if (result.error || result.status !== 0) failed.push(file);
  }
  if (failed.length > 0) {
    process.stderr.write(`benchmarks that did not finish: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

main();
