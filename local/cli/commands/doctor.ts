import type { Command } from 'commander';
import { type Admin, Kafka } from 'kafkajs';
import { consumerBindings, DEAD_LETTER_TOPIC, TOPICS } from '#shared/topology';
import { action, describeError, EXIT, type Io, line, printJson, processIo } from '../output';
import { addTargetOptions, resolveTarget, type Target, type TargetFlags } from '../target';

/**
 * `campusg doctor`: is the system healthy? Broker reachable, topics present, every event-source mapping's
 * consumer group with its members and lag per partition, dead letters, HTTP API reachable. Problems
 * (`fail`) exit 1; warnings (lag, dead letters, a group without members) are reported but exit 0.
 */

export type Status = 'ok' | 'warn' | 'fail';

export interface Check {
  readonly name: string;
  readonly status: Status;
  readonly detail: string;
  readonly lines?: readonly string[];
}

export interface PartitionLag {
  readonly partition: number;
  /** Committed offset, or -1 when the group has committed nothing. */
  readonly committed: number;
  readonly high: number;
  readonly lag: number;
}

export interface GroupReport {
  readonly groupId: string;
  readonly service: string;
  readonly topic: string;
  readonly state?: string;
  readonly members?: number;
  readonly totalLag: number;
  readonly partitions: readonly PartitionLag[];
}

export interface DoctorReport {
  readonly target: string;
  readonly ok: boolean;
  readonly checks: readonly Check[];
  readonly groups: readonly GroupReport[];
  readonly deadLetters?: number;
}

export function register(program: Command, io: Io = processIo): void {
  addTargetOptions(
    program
      .command('doctor')
      .description(
        'check the system: broker, topics, consumer groups and their lag, dead letters, HTTP API; exit 1 on a problem',
      )
      .option('--json', 'print the report as JSON'),
  ).action(
    action(io, async (opts: TargetFlags & { json?: boolean }) => {
      const report = await doctor(resolveTarget(opts));
      if (opts.json) printJson(io, report);
      else for (const l of formatReport(report)) line(io, l);
      return report.ok ? EXIT.OK : EXIT.FAILURE;
    }),
  );
}

/** Lag of one group on one topic: committed offsets against the high watermarks. */
export function lagOf(
  committed: readonly { partition: number; offset: string }[],
  ends: readonly { partition: number; high: string; low: string }[],
): PartitionLag[] {
  return ends
    .map((end) => {
      const c = Number(committed.find((x) => x.partition === end.partition)?.offset ?? -1);
      const high = Number(end.high);
      // Nothing committed: everything still on the partition is unconsumed (TRIM_HORIZON start).
      const lag = c < 0 ? high - Number(end.low) : Math.max(0, high - c);
      return { partition: end.partition, committed: c, high, lag };
    })
    .sort((a, b) => a.partition - b.partition);
}

export async function doctor(target: Target): Promise<DoctorReport> {
  const checks: Check[] = [];
  const groups: GroupReport[] = [];
  let deadLetters: number | undefined;

  if (target.kind === 'local') {
    const info = target.runtime();
    if (!info)
      checks.push({
        name: 'runtime',
        status: 'warn',
        detail: `${target.runtimeProblem()} (is \`npm start\` running?)`,
      });
    else if (!(await target.runtimeAlive()))
      checks.push({
        name: 'runtime',
        status: 'fail',
        detail: `${target.runtimeFile} is left over from a runtime that is gone (pid ${info.pid}); the next start replaces it`,
      });
    else
      checks.push({
        name: 'runtime',
        status: 'ok',
        // the same words as `start --help`: the state dir holds runtime.json and the dev-token key, the
        // data dir (--data-dir) the records, tables, schedules and logs
        detail:
          `pid ${info.pid}; state dir ${target.stateDir}; data dir ${info.dataDir ?? 'none (data in memory)'}` +
          (info.timeScale && info.timeScale !== 1 ? `; time scale x${info.timeScale}` : ''),
      });
  }

  let admin: Admin | undefined;
  try {
    const settings = await target.kafkaSettings();
    const kafka = new Kafka(settings.options);
    const where = settings.config.brokers?.join(',') ?? settings.source;
    admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      checks.push({
        name: 'broker',
        status: 'ok',
        detail: `${where} (from ${settings.source}): ${cluster.brokers.length} broker(s), auth ${settings.config.auth}${settings.config.tls ? ' over TLS' : ''}`,
      });
    } catch (err) {
      checks.push({ name: 'broker', status: 'fail', detail: `${where} unreachable: ${describeError(err)}` });
      await admin.disconnect().catch(() => undefined);
      admin = undefined;
    }
    if (admin) {
      const existing = new Set(await admin.listTopics());
      const missing = TOPICS.filter((t) => !existing.has(t.name)).map((t) => t.name);
      checks.push(
        missing.length === 0
          ? { name: 'topics', status: 'ok', detail: `all ${TOPICS.length} topics present` }
          : { name: 'topics', status: 'fail', detail: `missing: ${missing.join(', ')}` },
      );

      const offsetsByTopic = new Map<string, { partition: number; high: string; low: string }[]>();
      const endsOf = async (topic: string) => {
        let ends = offsetsByTopic.get(topic);
        if (!ends) {
          ends = existing.has(topic) ? await admin!.fetchTopicOffsets(topic) : [];
          offsetsByTopic.set(topic, ends);
        }
        return ends;
      };

      const bindings = consumerBindings();
      let described = new Map<string, { state: string; members: number }>();
      try {
        const out = await admin.describeGroups(bindings.map((b) => b.groupId));
        described = new Map(
          out.groups.map((g) => [g.groupId, { state: g.state, members: g.members.length }]),
        );
      } catch {
        // Some brokers answer OffsetFetch but not DescribeGroups; lag is still reported.
      }
      for (const b of bindings) {
        if (!existing.has(b.topic)) continue;
        const ends = await endsOf(b.topic);
        const fetched = await admin.fetchOffsets({ groupId: b.groupId, topics: [b.topic] });
        const partitions = lagOf(fetched.find((t) => t.topic === b.topic)?.partitions ?? [], ends);
        const d = described.get(b.groupId);
        groups.push({
          groupId: b.groupId,
          service: b.service,
          topic: b.topic,
          state: d?.state,
          members: d?.members,
          totalLag: partitions.reduce((s, p) => s + p.lag, 0),
          partitions,
        });
      }
      const lagging = groups.filter((g) => g.totalLag > 0);
      const idle = groups.filter((g) => g.members === 0);
      const groupLines = groups.map(
        (g) =>
          `${g.groupId.padEnd(40)} ${(g.state ?? '?').padEnd(12)} members ${g.members ?? '?'}  lag ${g.totalLag}  [${g.partitions.map((p) => `p${p.partition}:${p.lag}`).join(' ')}]`,
      );
      checks.push({
        name: 'consumer groups',
        status: lagging.length > 0 || idle.length > 0 ? 'warn' : 'ok',
        detail:
          `${groups.length} groups` +
          (lagging.length
            ? `, ${lagging.length} lagging (${lagging.reduce((s, g) => s + g.totalLag, 0)} records behind)`
            : ', no lag') +
          (idle.length ? `, ${idle.length} without members (${idle.map((g) => g.groupId).join(', ')})` : ''),
        lines: groupLines,
      });

      if (existing.has(DEAD_LETTER_TOPIC)) {
        deadLetters = (await endsOf(DEAD_LETTER_TOPIC)).reduce(
          (s, p) => s + Number(p.high) - Number(p.low),
          0,
        );
        checks.push({
          name: 'dead letters',
          status: deadLetters > 0 ? 'warn' : 'ok',
          detail:
            deadLetters > 0
              ? `${deadLetters} record(s) on ${DEAD_LETTER_TOPIC} (see \`campusg consume ${DEAD_LETTER_TOPIC} --from-beginning\`)`
              : `none on ${DEAD_LETTER_TOPIC}`,
        });
      }
    }
  } catch (err) {
    checks.push({ name: 'kafka', status: 'fail', detail: describeError(err) });
  } finally {
    await admin?.disconnect().catch(() => undefined);
  }

  checks.push(await checkHttp(target));
  return { target: target.kind, ok: checks.every((c) => c.status !== 'fail'), checks, groups, deadLetters };
}

/** Any HTTP answer below 500 means the API is up (an unauthenticated probe gets 401 or 404). */
async function checkHttp(target: Target): Promise<Check> {
  let base: string;
  try {
    base = (await target.apiUrl()).value;
  } catch (err) {
    return { name: 'http api', status: 'fail', detail: describeError(err) };
  }
  try {
    const res = await fetch(`${base}/orders/doctor-probe`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    if (res.status >= 500)
      return { name: 'http api', status: 'fail', detail: `${base} answers ${res.status}` };
    return {
      name: 'http api',
      status: 'ok',
      detail: `${base} answers (${res.status} for an unauthenticated probe)`,
    };
  } catch (err) {
    return { name: 'http api', status: 'fail', detail: `${base} unreachable: ${describeError(err)}` };
  }
}

const MARK: Record<Status, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export function formatReport(report: DoctorReport): string[] {
  const out = [`campusg doctor (target ${report.target})`];
  for (const c of report.checks) {
    out.push(`  [${MARK[c.status]}] ${c.name}: ${c.detail}`);
    for (const l of c.lines ?? []) out.push(`           ${l}`);
  }
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  out.push(fails ? `${fails} problem(s) found.` : warns ? `Healthy, with ${warns} warning(s).` : 'All good.');
  return out;
}
