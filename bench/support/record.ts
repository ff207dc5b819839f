/**
 * What every benchmark states about the machine it ran on, and where it keeps its results.
 *
 * A number taken while other work loads the cores is not comparable with one taken on a quiet machine, so a
 * benchmark notes the load average before it starts (its own work has not raised it yet) and after it ends,
 * and calls the run "busy" when something else was already using more than half of the cores. Results go,
 * one JSON line per run, to bench-results/<bench>.jsonl (git-ignored): each line carries the date, the
 * commit, the load and the verdict, so a figure quoted later can be traced to the conditions it came from.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
// The AWS SDK's notice about this machine's Node.js version is noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export const RESULTS_DIR = path.join(ROOT, 'bench-results');

/** A 1-minute load average above this share of the cores, before the run, marks the run busy. */
const BUSY_SHARE = 0.5;

export interface MachineAtStart {
  readonly startedAt: string;
  readonly cores: number;
  /** 1, 5 and 15-minute load averages before the benchmark did anything. */
  readonly loadBefore: readonly number[];
}

export function machineAtStart(): MachineAtStart {
  return { startedAt: new Date().toISOString(), cores: os.cpus().length, loadBefore: os.loadavg() };
}

export function isBusy(m: MachineAtStart): boolean {
  return (m.loadBefore[0] ?? 0) > BUSY_SHARE * m.cores;
}

const two = (xs: readonly number[]) => xs.map((l) => l.toFixed(2)).join(' ');

/** One line for a benchmark's output: the date, the load before and now, and whether the run was busy. */
export function machineLine(m: MachineAtStart): string {
  const verdict = isBusy(m)
    ? `BUSY: other work already used more than ${BUSY_SHARE * 100}% of the cores; compare these numbers only with a run on a quiet machine`
    : 'quiet before the run';
  return `machine: ${m.cores} cores, ${m.startedAt}, load average before ${two(m.loadBefore)}, after ${two(os.loadavg())} (${verdict})`;
}

function commit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Appends this run's results to bench-results/<bench>.jsonl and returns the file's path. */
export function recordResults(bench: string, m: MachineAtStart, results: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${bench}.jsonl`);
  const line = {
    bench,
    ...m,
    loadAfter: os.loadavg(),
    busy: isBusy(m),
    commit: commit(),
    node: process.version,
    results,
  };
  fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  return file;
}
