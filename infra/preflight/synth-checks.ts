/**
 * The offline half of `campusg preflight`: the context as `cdk deploy` would read it (cdk.json plus `-c`),
 * the topic lock (read only: preflight never writes it), the synthesis with cdk-nag and real esbuild bundling
 * into a scratch cloud assembly, and whether each bundle is self-contained. The local runtime then runs sagas
 * from that same assembly (local/cli/commands/preflight.ts).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TOPICS } from '#shared/topology';
import { buildApp } from '../campusg-app';
import { ALL_FUNCTIONS } from '../catalogue';
import { describeForeignImport, findForeignImports } from '../checks/bundle-imports';
import { type CampusgConfig, parseConfig } from '../config';
import { compareWithLock, readLock } from '../topic-lock';
import type { CheckResult } from './aws-checks';

export interface SynthOutcome {
  readonly results: CheckResult[];
  /** The cloud assembly, when synthesis succeeded. */
  readonly assemblyDir?: string;
  readonly config?: CampusgConfig;
  readonly alarmCount: number;
}

export interface SynthOptions {
  /** Project root (cdk.json, infra/topic-lock.json). */
  readonly root: string;
  /** `-c key=value` values, as for `cdk deploy`. */
  readonly context: Readonly<Record<string, string>>;
  /** Where to synthesize. @default a new temp dir */
  readonly outdir?: string;
  /** Real bundling (slow) as `cdk synth` does. @default true */
  readonly bundle?: boolean;
}

interface LambdaResource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
}

const firstLines = (text: string, n = 6) => text.split('\n').slice(0, n).join(' | ');

export function synthChecks(options: SynthOptions): SynthOutcome {
  const results: CheckResult[] = [];
  const cdkJson = JSON.parse(readFileSync(path.join(options.root, 'cdk.json'), 'utf8'));
  const context: Record<string, unknown> = { ...(cdkJson.context ?? {}), ...options.context };

  let config: CampusgConfig;
  try {
    config = parseConfig((key) => context[key]);
    results.push({
      check: 'context (cdk.json and -c)',
      ok: true,
      detail: `stage ${config.stage}, ${config.clusterMode} MSK, esmMode ${config.esmMode}`,
    });
  } catch (err) {
    results.push({
      check: 'context (cdk.json and -c)',
      ok: false,
      detail: firstLines((err as Error).message),
    });
    return { results, alarmCount: 0 };
  }

  const lockFile = path.join(options.root, 'infra', 'topic-lock.json');
  if (config.profile === 'aws') {
    const { problems, changed } = compareWithLock(
      readLock(lockFile),
      config.stage,
      {
        clusterMode: config.clusterMode,
        ...(config.clusterMode === 'provisioned' ? { replicationFactor: config.replicationFactor } : {}),
        partitions: Object.fromEntries(TOPICS.map((t) => [t.name, t.partitions])),
      },
      'infra/topic-lock.json',
    );
    results.push({
      check: 'topic lock (infra/topic-lock.json)',
      ok: problems.length === 0,
      detail:
        problems.length > 0
          ? problems.join('; ')
          : changed
            ? `stage ${config.stage} changes are allowed; the next synth records them`
            : `stage ${config.stage} matches its lock entry`,
    });
  }

  const outdir = options.outdir ?? mkdtempSync(path.join(tmpdir(), 'campusg-preflight-'));
  let alarmCount = 0;
  try {
    const built = buildApp({
      outdir,
      nag: true,
      context: {
        ...context,
        'aws:cdk:enable-asset-metadata': true,
        ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
      },
    });
    const assembly = built.app.synth();
    alarmCount = assembly.stacks
      .flatMap((s) => Object.values((s.template.Resources ?? {}) as Record<string, { Type: string }>))
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
  } catch (err) {
    results.push({ check: 'synth and cdk-nag', ok: false, detail: firstLines((err as Error).message) });
    return { results, config, alarmCount };
  }
  const reportFile = path.join(outdir, 'validation-report.json');
  const violations = existsSync(reportFile)
    ? (
        JSON.parse(readFileSync(reportFile, 'utf8')).pluginReports as {
          violations?: { ruleName?: string }[];
        }[]
      ).flatMap((r) => r.violations ?? [])
    : [];
  results.push({
    check: 'synth and cdk-nag',
    ok: violations.length === 0,
    detail:
      violations.length === 0
        ? `5 stacks in ${outdir}, no unacknowledged finding`
        : `${violations.length} finding(s): ${violations
            .slice(0, 5)
            .map((v) => v.ruleName ?? JSON.stringify(v).slice(0, 80))
            .join(', ')}`,
  });
  return { results, assemblyDir: outdir, config, alarmCount };
}

/**
 * Every project bundle in the assembly (the catalogue's functions and the serverless topic handler) needs
 * nothing but Node.js built-ins and its own files (infra/checks/bundle-imports.ts). CDK's own provider
 * functions are left out: they rely on the SDK the Lambda runtime ships, by design.
 */
export async function bundleCheck(assemblyDir: string): Promise<CheckResult> {
  const check = 'bundles self-contained';
  const ours = new Set(ALL_FUNCTIONS.map((f) => f.id));
  const assets: { id: string; dir: string }[] = [];
  for (const file of readdirSync(assemblyDir)) {
    if (!file.endsWith('.template.json')) continue;
    const template = JSON.parse(readFileSync(path.join(assemblyDir, file), 'utf8'));
    for (const [id, r] of Object.entries(template.Resources ?? {}) as [string, LambdaResource][]) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const asset = r.Metadata?.['aws:asset:path'];
      if (typeof asset !== 'string') continue;
      if (!(ours.has(id) || String(r.Metadata?.['aws:cdk:path']).includes('TopicAdminFunction'))) continue;
      assets.push({ id, dir: path.join(assemblyDir, asset) });
    }
  }
  if (assets.length === 0) return { check, ok: false, detail: `no function bundles found in ${assemblyDir}` };
  const problems: string[] = [];
  for (const a of assets) {
    const report = await findForeignImports(a.dir);
    for (const i of report.foreign) problems.push(`${a.id}: ${describeForeignImport(i)}`);
    for (const u of report.unchecked) problems.push(`${a.id}: ${u.file}: ${u.message}`);
  }
  return {
    check,
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${assets.length} bundles need only Node.js built-ins`
        : problems.slice(0, 4).join('; '),
  };
}
