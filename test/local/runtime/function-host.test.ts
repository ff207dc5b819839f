import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocalFunction } from '#local/core/types';
import { FunctionHost } from '#local/runtime/function-host';
import { MemoryLogStore } from '#local/runtime/logs';

const BUNDLE = `
let counter = 0;
exports.handler = async (event, context) => {
  counter += 1;
  if (event.action === 'env') return { name: process.env.AWS_LAMBDA_FUNCTION_NAME, secret: process.env.SECRET, counter, global: globalThis.shared ?? null, pid: process.pid, remaining: context.getRemainingTimeInMillis() };
  if (event.action === 'set-global') { globalThis.shared = event.value; return 'ok'; }
  if (event.action === 'throw') { class PaymentDeclined extends Error { constructor(m) { super(m); this.name = 'PaymentDeclined'; } } throw new PaymentDeclined('card declined'); }
  if (event.action === 'sleep') { await new Promise((r) => setTimeout(r, event.ms)); return 'slept'; }
  if (event.action === 'meet') {
    const fs = require('fs');
    const start = Date.now();
    fs.writeFileSync(require('path').join(event.dir, process.pid + '-' + Math.random().toString(36).slice(2)), '');
    let met = false;
    while (!met && Date.now() - start < 2500) {
      met = fs.readdirSync(event.dir).length >= event.count;
      if (!met) await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 50));
    return { pid: process.pid, start, end: Date.now(), met };
  }
  if (event.action === 'crash') { process.exit(3); }
  if (event.action === 'log') {
    console.log('hello', { a: 1 });
    process.stdout.write(JSON.stringify({ level: 'INFO', message: 'powertools line', service: 'svc' }) + '\\n');
    console.error('multi\\nline');
    return 'logged';
  }
  return { echo: event, counter };
};
`;

const CALLBACK_BUNDLE = `exports.main = (event, context, callback) => { setTimeout(() => callback(null, { cb: event.x }), 5); };`;
const BROKEN_BUNDLE = `throw new Error('init failed');`;

describe('FunctionHost', () => {
  let dir: string;
  let host: FunctionHost;
  let logs: MemoryLogStore;

  const fn = (name: string, asset: string, extra: Partial<LocalFunction> = {}): LocalFunction => ({
    logicalId: `${name}Fn`,
    constructId: name,
    functionName: name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    assetPath: path.join(dir, asset),
    handler: 'index.handler',
    environment: { SECRET: `${name}-secret` },
    logGroupName: `/aws/lambda/${name}`,
    timeoutSeconds: 3,
    memoryMb: 256,
    ...extra,
  });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fnhost-'));
    for (const [name, code] of [
      ['a', BUNDLE],
      ['cb', CALLBACK_BUNDLE],
      ['broken', BROKEN_BUNDLE],
    ] as const) {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'index.js'), code);
    }
    logs = new MemoryLogStore();
    host = new FunctionHost({
      region: 'us-east-1',
      logs,
      functions: [
        fn('alpha', 'a'),
        fn('beta', 'a'),
        fn('slow', 'a', { timeoutSeconds: 1 }),
        fn('callback', 'cb', { handler: 'index.main' }),
        fn('broken', 'broken'),
      ],
      environmentOverrides: { AWS_ACCESS_KEY_ID: 'local' },
      maxInstancesPerFunction: 2,
    });
    await host.warm();
  });

  afterAll(async () => {
    await host.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('invokes by name, ARN and logical id, keeping the process warm', async () => {
    const r1 = await host.invoke('alpha', { action: 'env' });
    const r2 = await host.invoke('arn:aws:lambda:us-east-1:000000000000:function:alpha', { action: 'env' });
    const r3 = await host.invoke('alphaFn', { action: 'env' });
    expect(r1.ok && r2.ok && r3.ok).toBe(true);
    const p = [r1, r2, r3].map((r) => (r.ok ? (r.payload as { counter: number; pid: number }) : undefined));
    expect(p[0]!.pid).toBe(p[2]!.pid);
    expect(p[2]!.counter).toBeGreaterThan(p[0]!.counter);
  });

  it('isolates environment and module state per function', async () => {
    await host.invoke('alpha', { action: 'set-global', value: 'from-alpha' });
    const a = await host.invoke('alpha', { action: 'env' });
    const b = await host.invoke('beta', { action: 'env' });
    expect(a.ok && a.payload).toMatchObject({ name: 'alpha', secret: 'alpha-secret', global: 'from-alpha' });
    expect(b.ok && b.payload).toMatchObject({ name: 'beta', secret: 'beta-secret', global: null });
    expect(a.ok && b.ok && (a.payload as { pid: number }).pid !== (b.payload as { pid: number }).pid).toBe(
      true,
    );
  });

  it('maps a handler error to errorType / errorMessage', async () => {
    const r = await host.invoke('alpha', { action: 'throw' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.errorType).toBe('PaymentDeclined');
      expect(r.error.errorMessage).toBe('card declined');
      expect(r.error.stackTrace?.length).toBeGreaterThan(0);
    }
  });

  it('supports callback handlers', async () => {
    const r = await host.invoke('callback', { x: 7 });
    expect(r).toMatchObject({ ok: true, payload: { cb: 7 } });
  });

  it('honours the timeout and replaces the process', async () => {
    const before = host.pids('slow');
    const r = await host.invoke('slow', { action: 'sleep', ms: 5000 });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toMatchObject({
        errorType: 'Sandbox.Timedout',
        errorMessage: 'Task timed out after 1.00 seconds',
      });
    const again = await host.invoke('slow', { action: 'env' });
    expect(again.ok).toBe(true);
    expect(before).not.toContain((again.ok && (again.payload as { pid: number }).pid) || -1);
  });

  it('restarts a crashed process', async () => {
    const r = await host.invoke('beta', { action: 'crash' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.errorType).toBe('Runtime.ExitError');
    const after = await host.invoke('beta', { action: 'env' });
    expect(after).toMatchObject({ ok: true, payload: { counter: 1 } });
  });

  it('reports init errors', async () => {
    const r = await host.invoke('broken', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.errorType).toBe('Runtime.ImportModuleError');
  });

  it('runs concurrent invocations in a pool: two at once, each in its own process', async () => {
    // each invocation leaves a mark and waits (up to 2.5 s) until two are there: only invocations that run
    // at the same time can meet, so a pool that ran them one by one fails here whatever the machine's speed
    const meeting = fs.mkdtempSync(path.join(dir, 'meet-'));
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => host.invoke('alpha', { action: 'meet', dir: meeting, count: 2 })),
    );
    const spans = results.map((r) => {
      if (!r.ok) throw new Error(`invocation failed: ${r.error.errorMessage}`);
      return r.payload as { pid: number; start: number; end: number; met: boolean };
    });
    expect(spans.map((s) => s.met)).toEqual([true, true, true, true]);
    // from the workers' own start and end times: never more than the pool's two at once, and the ones that
    // ran together ran in different processes
    const concurrentAt = (t: number) => spans.filter((s) => s.start <= t && t < s.end);
    expect(Math.max(...spans.map((s) => concurrentAt(s.start).length))).toBe(2);
    for (const s of spans) {
      const together = concurrentAt(s.start);
      expect(new Set(together.map((o) => o.pid)).size).toBe(together.length);
    }
    expect(new Set(spans.map((s) => s.pid)).size).toBe(2);
    expect(host.pids('alpha').length).toBe(2);
  });

  it('captures output in the log group with START / END / REPORT lines', async () => {
    await host.invoke('alpha', { action: 'log' });
    const { events } = logs.filter({ logGroupName: '/aws/lambda/alpha' });
    const messages = events.map((e) => e.message);
    const start = messages.findLastIndex((m) => m.startsWith('START RequestId:'));
    const tail = messages.slice(start);
    expect(tail[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    expect(tail[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\thello { a: 1 }$/);
    expect(tail[2]).toBe('{"level":"INFO","message":"powertools line","service":"svc"}');
    expect(tail[3]).toMatch(/\tERROR\tmulti\nline$/);
    expect(tail[4]).toMatch(/^END RequestId: /);
    expect(tail[5]).toMatch(
      /^REPORT RequestId: .*\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/,
    );
    expect(events[0]!.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    const r = await host.invoke('nope', {});
    expect(r).toMatchObject({ ok: false, error: { errorType: 'ResourceNotFoundException' } });
  });
});
