/**
 * A crash never locks a user out (issue 19), with real processes: stale lock and state files naming a
 * live unrelated process do not stop a start; SIGKILL of the broker alone, of the runtime alone and of the
 * runtime's whole process group, each followed at once by a restart on the same directories: every restart
 * succeeds and keeps every acknowledged record and table item; a second start on the same directories is
 * refused with what runs, how to stop it and how to run beside it; Ctrl-C (SIGINT to the group) stops
 * cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { LocalJwt } from '../../local/http-api';
import { allGone, type CliProcess, descendants, isRunning, sigkill, spawnCampusg } from './cli-process';
import { ApiClient, EventCollector, ensureSuiteAssembly } from './helpers';

/** A live process that is neither a broker nor a runtime: the test's own child. */
function unrelatedProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
}

const killOnExit: ChildProcess[] = [];
afterAll(() => {
  for (const c of killOnExit) {
    try {
      process.kill(c.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

describe('the broker on a data directory', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-crash-broker-'));
  const running: CliProcess[] = [];

  afterAll(async () => {
    for (const p of running) if (isRunning(p)) await sigkill(p, 'group');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function startBrokerProcess(): Promise<{ proc: CliProcess; address: string }> {
    const proc = spawnCampusg(['broker', '--port', '0', '--data-dir', dataDir]);
    running.push(proc);
    const m = await proc.waitFor(/kafka broker listening on (\S+)/);
    return { proc, address: m[1]! };
  }

  it('starts over a lock naming a live unrelated process, restarts at once after SIGKILL with every acknowledged record, and refuses a second broker', async () => {
    const unrelated = unrelatedProcess();
    killOnExit.push(unrelated);
    fs.writeFileSync(path.join(dataDir, 'broker.lock'), String(unrelated.pid));

    let { proc, address } = await startBrokerProcess();
    expect(proc.output()).toContain(`naming pid ${unrelated.pid}`);

    const kafka = (brokers: string) =>
      new Kafka({ clientId: 'crash-test', brokers: [brokers], logLevel: logLevel.NOTHING });
    const producer = kafka(address).producer();
    await producer.connect();
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic: 'crash', acks: -1, messages: [{ value: `record-${i}` }] });
      acknowledged.push(`record-${i}`);
    }
    await producer.disconnect();

    const second = spawnCampusg(['broker', '--port', '0', '--data-dir', dataDir]);
    running.push(second);
    expect((await second.exited).code).toBe(1);
    expect(second.output()).toMatch(
      new RegExp(
        `data directory .* is in use by pid ${proc.pid} since .*Kafka ${address.replace(/\./g, '\\.')}.*kill ${proc.pid}.*--data-dir <another dir> --port <another port>`,
      ),
    );

    await sigkill(proc, 'process');
    ({ proc, address } = await startBrokerProcess());
    expect(proc.output()).toMatch(/replaced the stale lock .*broker\.lock/);

    const consumer = kafka(address).consumer({ groupId: `crash-${Date.now()}` });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'crash', fromBeginning: true });
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length >= acknowledged.length) resolve();
        },
      });
    });
    await all;
    await consumer.disconnect();
    expect(seen).toEqual(acknowledged);
  }, 120_000);
});

describe('the runtime on a state and a data directory', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-crash-runtime-'));
  const stateDir = path.join(base, 'state');
  const dataDir = path.join(base, 'data');
  const running: CliProcess[] = [];
  const startArgs = [
    'start',
    '--state-dir',
    stateDir,
    '--data-dir',
    dataDir,
    '--kafka-port',
    '0',
    '--http-port',
    '0',
    '--aws-port',
    '0',
    '--console-port',
    '0',
    '--no-synth',
  ];

  beforeAll(() => ensureSuiteAssembly(), 600_000);

  afterAll(async () => {
    for (const p of running) if (isRunning(p)) await sigkill(p, 'group');
    fs.rmSync(base, { recursive: true, force: true });
  });

  interface Started {
    proc: CliProcess;
    api: ApiClient;
    kafka: string;
  }

  async function startRuntimeProcess(): Promise<Started> {
    const proc = spawnCampusg(startArgs);
    running.push(proc);
    await proc.waitFor(/CampusG local runtime is up/, 180_000);
    const info = JSON.parse(fs.readFileSync(path.join(stateDir, 'runtime.json'), 'utf8'));
    expect(info.pid).toBe(proc.pid);
    return {
      proc,
      api: new ApiClient(info.endpoints.http, await LocalJwt.load(stateDir)),
      kafka: info.endpoints.kafka,
    };
  }

  /** Orders whose POST answered 201: stored in the orders table, ORDER_CREATED acknowledged by the broker. */
  async function placeOrders(sys: Started, prefix: string, n: number): Promise<[string, string][]> {
    const placed: [string, string][] = [];
    for (let i = 0; i < n; i++) {
      const customer = `${prefix}-${i}`;
      const r = await sys.api.createOrder(customer);
      expect(r.status).toBe(201);
      placed.push([r.body.orderId, customer]);
    }
    return placed;
  }

  async function expectKept(sys: Started, orders: [string, string][]): Promise<void> {
    for (const [id, customer] of orders) {
      const r = await sys.api.getOrder(id, customer);
      expect({ id, status: r.status }).toEqual({ id, status: 200 });
    }
    const events = await new EventCollector(sys.kafka).start(['order-events']);
    try {
      await Promise.all(orders.map(([id]) => events.waitFor(id, 'ORDER_CREATED', 60_000)));
    } finally {
      await events.stop();
    }
  }

  it('survives SIGKILL of the runtime and of its process group with immediate restarts, refuses a second start, and stops on Ctrl-C', async () => {
    // Leftovers naming a live process that is not a runtime: a pid proves nothing.
    const unrelated = unrelatedProcess();
    killOnExit.push(unrelated);
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(
      path.join(stateDir, 'runtime.json'),
      JSON.stringify({ pid: unrelated.pid, endpoints: {} }),
    );
    fs.writeFileSync(path.join(stateDir, 'runtime.lock'), String(unrelated.pid));

    let sys = await startRuntimeProcess();
    expect(sys.proc.output()).toContain(`left by a runtime that is gone (pid ${unrelated.pid})`);
    const orders = await placeOrders(sys, 'crash-a', 5);

    // SIGKILL of the runtime alone (its function processes and dynalite see it go), then a restart at once.
    let orphans = descendants(sys.proc.pid);
    await sigkill(sys.proc, 'process');
    sys = await startRuntimeProcess();
    expect(sys.proc.output()).toMatch(/replaced the stale lock .*runtime\.lock/);
    await expectKept(sys, orders);
    // what the killed runtime had started exits by itself (IPC disconnect)
    expect(await allGone(orphans)).toEqual([]);

    // A second start on the same directories is refused and says what runs and how to run beside it.
    const second = spawnCampusg(startArgs);
    running.push(second);
    expect((await second.exited).code).toBe(1);
    const refusal = second.output();
    expect(refusal).toMatch(
      new RegExp(
        `a local runtime already runs with the state directory ${stateDir}: pid ${sys.proc.pid} since `,
      ),
    );
    expect(refusal).toContain(`HTTP API ${sys.api.url}`);
    expect(refusal).toContain(`kill ${sys.proc.pid}`);
    expect(refusal).toMatch(/--state-dir .*--data-dir .*--kafka-port .*--http-port .*--aws-port/);
    expect((await sys.api.getOrder(orders[0]![0], orders[0]![1])).status).toBe(200);

    orders.push(...(await placeOrders(sys, 'crash-b', 5)));
    // SIGKILL of the whole process group, then a restart at once.
    orphans = descendants(sys.proc.pid);
    await sigkill(sys.proc, 'group');
    sys = await startRuntimeProcess();
    await expectKept(sys, orders);
    expect(await allGone(orphans)).toEqual([]);

    // Ctrl-C: SIGINT to the whole foreground process group.
    const children = descendants(sys.proc.pid);
    expect(children.length).toBeGreaterThan(0);
    process.kill(-sys.proc.pid, 'SIGINT');
    const exit = await sys.proc.exited;
    expect(sys.proc.output()).toMatch(/SIGINT: stopping the local runtime\.\.\.\n(.*\n)*stopped\n/);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(path.join(stateDir, 'runtime.json'))).toBe(false);
    expect(await allGone(children)).toEqual([]);
  }, 600_000);
});
