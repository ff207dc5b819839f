import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../infra/campusg-app';
import { applyLocalStackProfile } from '../../infra/profiles/localstack';
import { readAssembly } from '../../local/assembly';
import type { SchedulerEvent } from '../../local/aws-api';
import { type Bridge, describeBridge, planBridge, startBridge } from '../../local/bridge';
import { resolveTarget } from '../../local/cli/target';
import { LocalJwt } from '../../local/http-api';
import { type Runtime, startRuntime } from '../../local/runtime/runtime';
import { ApiClient, ASSEMBLY, EventCollector, ensureSuiteAssembly, ROOT, until } from '../e2e/helpers';

/**
 * Bridge mode end to end against stand-ins: the embedded runtime plays LocalStack community. It runs the
 * LocalStack profile's assembly (no MSK, no ESMs, no HTTP API) and serves the Lambda Invoke and Scheduler APIs
 * on its local AWS endpoint; its own scheduler stores schedules without firing them (`fireSchedules: false`),
 * as LocalStack's does. The bridge, pointed at that endpoint and at the runtime's broker as it would be at
 * LocalStack and the compose Kafka, runs the mappings, fires the schedules and serves the HTTP API.
 */

let lsDir: string;
let stateDir: string;
let standIn: Runtime;
let bridge: Bridge;
let api: ApiClient;
let collector: EventCollector;
const fired: SchedulerEvent[] = [];
const output: string[] = [];

beforeAll(async () => {
  await ensureSuiteAssembly();
  lsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-localstack-asm-'));
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-bridge-'));
  const built = buildApp({
    outdir: lsDir,
    nag: false,
    builtinCloudFormationValidation: false,
    context: { profile: 'localstack', localstackEdition: 'community', 'aws:cdk:enable-asset-metadata': true },
  });
  applyLocalStackProfile(built);
  built.app.synth();

  standIn = await startRuntime({
    cwd: ROOT,
    assemblyDir: lsDir,
    synth: false,
    kafkaPort: 0,
    httpPort: 0,
    awsPort: 0,
    quiet: true,
    stateDir,
    writeStateFile: false,
    fireSchedules: false,
    print: (l) => output.push(l),
    printError: (l) => output.push(l),
  });
  bridge = await startBridge({
    cwd: ROOT,
    appAssemblyDir: ASSEMBLY,
    deployedAssemblyDir: lsDir,
    synth: false,
    endpoint: standIn.endpoints.aws,
    region: standIn.model.region,
    kafkaBrokers: standIn.endpoints.kafka,
    httpPort: 0,
    stateDir,
    pollIntervalMs: 200,
    printError: (l) => output.push(l),
    onSchedulerEvent: (e) => fired.push(e),
  });
  api = new ApiClient(bridge.httpUrl!, await LocalJwt.load(stateDir));
  collector = await new EventCollector(standIn.endpoints.kafka).start();
}, 300_000);

afterAll(async () => {
  await collector?.stop();
  await bridge?.stop();
  await standIn?.stop();
  for (const d of [lsDir, stateDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
}, 60_000);

async function awaitStatus(orderId: string, customer: string, status: string) {
  return until(
    async () => {
      const res = await api.getOrder(orderId, customer);
      return res.status === 200 && res.body.status === status ? res.body : undefined;
    },
    45_000,
    `order ${orderId} to be ${status} (saw ${collector.types(orderId).join(', ')})`,
  );
}

describe('bridge plan', () => {
  it('bridges every mapping and route the community profile leaves out', () => {
    const app = readAssembly({ assemblyDir: ASSEMBLY });
    const plan = planBridge(app, standIn.model);
    expect(standIn.model.eventSourceMappings).toHaveLength(0);
    expect(standIn.model.routes).toHaveLength(0);
    expect(plan.mappings.map((m) => m.logicalId).sort()).toEqual(
      app.eventSourceMappings.map((m) => m.logicalId).sort(),
    );
    expect(plan.routes).toHaveLength(app.routes.length);
    expect(plan.topics.map((t) => t.name)).toEqual(expect.arrayContaining(['order-events', 'dead-letters']));
    expect(bridge.plan.functionNames).toEqual(expect.arrayContaining(['campusg-dev-order-consumer']));
  });

  it("names the deployed stacks as the CLI's --target localstack default does", () => {
    // The stand-in runs the LocalStack profile as `npm run localstack:deploy` synthesizes it (stage dev).
    const cli = resolveTarget({ target: 'localstack' }, {}, ROOT);
    expect(bridge.stackPrefix).toBe(cli.stackPrefix());
    expect(cli.stackName('Services')).toBe('CampusG-dev-Services');
    // A full stack name given as --stack is taken for its prefix.
    expect(
      resolveTarget({ target: 'localstack', stack: 'CampusG-dev-Services' }, {}, ROOT).stackPrefix(),
    ).toBe('CampusG-dev');
    expect(describeBridge(bridge, 'http://localhost:4566', 'localhost:9092')).toContain(
      `export CAMPUSG_TARGET=localstack CAMPUSG_STACK=CampusG-dev CAMPUSG_API_URL=${bridge.httpUrl}`,
    );
  });

  it('bridges nothing but the scheduler when the deployment has everything', () => {
    const app = readAssembly({ assemblyDir: ASSEMBLY });
    const plan = planBridge(app, app);
    expect(plan).toMatchObject({ mappings: [], routes: [], topics: [] });
  });
});

describe('bridge mode against stand-ins', () => {
  it('drives an order to completion through the deployed functions', async () => {
    const created = await api.createOrder('ls-customer-1');
    expect(created.status).toBe(201);
    const orderId = created.body.orderId;
    await awaitStatus(orderId, 'ls-customer-1', 'AWAITING_RUNNER');
    expect((await api.command(orderId, 'accept', { sub: 'ls-runner-1', group: 'runners' })).status).toBe(200);
    await awaitStatus(orderId, 'ls-customer-1', 'ACCEPTED');
    expect((await api.command(orderId, 'complete', { sub: 'ls-runner-1', group: 'runners' })).status).toBe(
      200,
    );
    await awaitStatus(orderId, 'ls-customer-1', 'COMPLETED');
    await collector.waitFor(orderId, 'FUNDS_RELEASED', 30_000);
  }, 120_000);

  it('times an order out when the bridge fires its schedule', async () => {
    const created = await api.createOrder('ls-customer-2');
    expect(created.status).toBe(201);
    const orderId = created.body.orderId;
    await awaitStatus(orderId, 'ls-customer-2', 'AWAITING_RUNNER');
    await collector.waitFor(orderId, 'TIMER_STARTED', 30_000);
    // The deadline is 15 minutes away in schedule time: skip it on the bridge's clock.
    await until(() => bridge.scheduler.pending().length > 0, 10_000, 'the bridge to see the schedule');
    await bridge.scheduler.advance(16 * 60_000);
    const order = await awaitStatus(orderId, 'ls-customer-2', 'CANCELLED');
    expect(order.cancelReason).toBe('TIMEOUT');
    await collector.waitFor(orderId, 'FUNDS_REFUNDED', 30_000);
    const ours = fired.filter((e) => e.type === 'succeeded' && e.schedule.input?.includes(orderId));
    expect(ours).toHaveLength(1);
    await until(() => bridge.scheduler.pending().length === 0, 10_000, 'the fired schedule to be gone');
  }, 120_000);
});
