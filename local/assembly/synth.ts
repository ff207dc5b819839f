/**
 * Whether the cloud assembly (cdk.out) is stale against its inputs, and `cdk synth` when it is: the local
 * runtime, the LocalStack bridge, the bench and the end-to-end tests all start from an up-to-date assembly.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Files and folders whose change makes cdk.out stale. */
export const SYNTH_INPUTS = ['infra', 'functions', 'shared', 'cdk.json', 'package-lock.json', 'patches'];

function newestMtime(p: string): { mtimeMs: number; file?: string } {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return { mtimeMs: 0 };
  }
  if (!st.isDirectory()) return { mtimeMs: st.mtimeMs, file: p };
  let best: { mtimeMs: number; file?: string } = { mtimeMs: 0 };
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules' || entry === 'cdk.out' || entry.startsWith('.')) continue;
    const sub = newestMtime(path.join(p, entry));
    if (sub.mtimeMs > best.mtimeMs) best = sub;
  }
  return best;
}

/** Whether cdk.out must be synthesized again: no manifest, or a synth input newer than the manifest. */
export function assemblyStaleness(cwd: string, assemblyDir: string): { stale: boolean; reason: string } {
  const manifest = path.join(assemblyDir, 'manifest.json');
  let manifestMtime: number;
  try {
    manifestMtime = fs.statSync(manifest).mtimeMs;
  } catch {
    return { stale: true, reason: `${path.relative(cwd, manifest) || manifest} does not exist` };
  }
  for (const input of SYNTH_INPUTS) {
    const newest = newestMtime(path.join(cwd, input));
    if (newest.mtimeMs > manifestMtime) {
      return {
        stale: true,
        reason: `${path.relative(cwd, newest.file ?? input)} changed after the last synth`,
      };
    }
  }
  return { stale: false, reason: 'up to date' };
}

export interface EnsureAssemblyOptions {
  readonly cwd: string;
  readonly assemblyDir: string;
  /** false: never synthesize (fail when cdk.out is missing). */
  readonly synth?: boolean;
  /** Where synth progress goes (default: inherit this process's stdio). */
  readonly output?: 'inherit' | 'ignore' | 'pipe';
  readonly log?: (line: string) => void;
}

/** Synthesizes when cdk.out is stale (`npx cdk synth --quiet`), then checks that a manifest exists. */
export async function ensureAssembly(options: EnsureAssemblyOptions): Promise<{ synthesized: boolean }> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const { stale, reason } = assemblyStaleness(options.cwd, options.assemblyDir);
  if (!stale) return { synthesized: false };
  if (options.synth === false) {
    if (fs.existsSync(path.join(options.assemblyDir, 'manifest.json'))) {
      log(`cdk.out is stale (${reason}); using it anyway (--no-synth)`);
      return { synthesized: false };
    }
    throw new Error(
      `no cloud assembly at ${options.assemblyDir} and --no-synth was given; run npx cdk synth`,
    );
  }
  log(`synthesizing the cloud assembly (${reason}): npx cdk synth --quiet`);
  const started = Date.now();
  await runSynth(options.cwd, options.assemblyDir, options.output ?? 'inherit');
  log(`synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { synthesized: true };
}

/** Lines `cdk synth` prints that are about the CLI, not about this project's synthesis. */
const CDK_NOISE = [/^Supply a stack id/, /feature flags are not configured/, /^\s*$/];

function runSynth(cwd: string, assemblyDir: string, output: 'inherit' | 'ignore' | 'pipe'): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['cdk', 'synth', '--quiet'];
    if (path.resolve(assemblyDir) !== path.resolve(cwd, 'cdk.out')) args.push('--output', assemblyDir);
    // 'inherit' is piped too, so that cdk's hints that mean nothing to a user of `npm start` can be dropped.
    const child = spawn('npx', args, {
      cwd,
      stdio: output === 'ignore' ? ['ignore', 'ignore', 'ignore'] : ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let captured = '';
    const collect = (d: Buffer) => {
      captured += d;
      if (output !== 'inherit') return;
      const text = String(d)
        .split('\n')
        .filter((line) => !CDK_NOISE.some((noise) => noise.test(line)))
        .join('\n');
      if (text.trim()) process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) {
        // cdk writes the manifest before bundling finishes on some versions; touch it so it is newer than inputs.
        const manifest = path.join(assemblyDir, 'manifest.json');
        if (fs.existsSync(manifest)) {
          const now = new Date();
          fs.utimesSync(manifest, now, now);
        }
        resolve();
      } else
        reject(
          new Error(
            `cdk synth failed with exit code ${code}${captured ? `:\n${captured.slice(-4000)}` : ''}`,
          ),
        );
    });
  });
}
