/**
 * `npm run bench:cost` (and a section of `npm run bench`): what one order costs, measured, not estimated.
 *
 * Runs `campusg cost` as a user would (its own runtime from cdk.out, BENCH_COST_ORDERS orders of each fate:
 * completed, cancelled, timed out, declined) and prints the measured per-order bill of resources next to what
 * the AWS cost and capacity model makes of it for each profile at BENCH_COST_RATE orders/s. The bill is a
 * count (invocations, records, capacity units, Scheduler calls, log bytes), so the machine's load changes its
 * durations (the Lambda GB-seconds line) but not the rest; the load is recorded with the result.
 * Options (env): BENCH_COST_ORDERS (3), BENCH_COST_RATE (10).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import type { CapacityReport, CostReport, OrderUsage } from '../infra/cost/model';
import { machineAtStart, machineLine, recordResults } from './support/record';

const ROOT = path.resolve(__dirname, '..');
const ORDERS = Number(process.env.BENCH_COST_ORDERS ?? 3);
const RATE = Number(process.env.BENCH_COST_RATE ?? 10);
const out = (l: string) => process.stdout.write(`${l}\n`);

interface CostJson {
  usage: OrderUsage;
  rate: number;
  profiles: { profile: string; cost: CostReport; capacity: CapacityReport }[];
}

async function main(): Promise<void> {
  const machine = machineAtStart();
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'campusg.js'),
      'cost',
      '--orders',
      String(ORDERS),
      '--rate',
      String(RATE),
      '--json',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`campusg cost exited ${code}`);
  const report = JSON.parse(stdout) as CostJson;
  const u = report.usage;
  out(
    `measured ${u.orders} orders (${ORDERS} of each fate) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  out('per order:');
  const fns = Object.entries(u.functions).sort((a, b) => b[1].invocations - a[1].invocations);
  for (const [name, f] of fns) {
    out(
      `  ${name.padEnd(28)} ${f.invocations.toFixed(2)} invocations, ${f.billedMs.toFixed(0)} ms billed duration`,
    );
  }
  for (const [topic, t] of Object.entries(u.topics)) {
    out(`  ${topic.padEnd(28)} ${t.records.toFixed(2)} records, ${t.bytes.toFixed(0)} bytes`);
  }
  for (const [table, t] of Object.entries(u.tables)) {
    out(`  ${table.padEnd(28)} ${t.rru.toFixed(2)} read units, ${t.wru.toFixed(2)} write units`);
  }
  out(
    `  scheduler: ${u.scheduler.creates} creates, ${u.scheduler.deletes} deletes, ${u.scheduler.invocations} firings; HTTP requests ${u.httpRequests.toFixed(2)}; logs ${u.logs.bytes.toFixed(0)} bytes`,
  );
  out(`at ${report.rate} orders/s:`);
  for (const p of report.profiles) {
    out(
      `  ${p.profile.padEnd(11)} $${p.cost.variablePer1000Usd.toFixed(4)} per 1,000 orders (variable), $${p.cost.allInPer1000Usd.toFixed(2)} all-in, $${p.cost.totalMonthlyUsd.toFixed(0)}/month; ceiling ${p.capacity.maxOrdersPerSecond.toFixed(1)} orders/s (${p.capacity.firstLimit})`,
    );
  }
  out(machineLine(machine));
  const file = recordResults('cost', machine, {
    ordersPerFate: ORDERS,
    rate: report.rate,
    usage: u,
    profiles: report.profiles.map((p) => ({
      profile: p.profile,
      variablePer1000Usd: p.cost.variablePer1000Usd,
      allInPer1000Usd: p.cost.allInPer1000Usd,
      totalMonthlyUsd: p.cost.totalMonthlyUsd,
      maxOrdersPerSecond: p.capacity.maxOrdersPerSecond,
    })),
  });
  out(`recorded in ${path.relative(ROOT, file)}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
