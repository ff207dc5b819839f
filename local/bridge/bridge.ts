/**
 * Bridge mode: the parts of the app a LocalStack edition cannot run, run here against the functions deployed
 * in LocalStack. The same code as the embedded runtime, with a different `Invoker` and schedule source:
 *
 * - the ESM emulator (local/runtime/esm.ts) for every event-source mapping of the app that the LocalStack
 *   profile did not deploy (editions without MSK), consuming the compose Kafka and invoking through the Lambda
 *   Invoke API;
 * - the scheduler engine (local/aws-api/scheduler/engine.ts) over `schedulerApiSource`: LocalStack's Scheduler
 *   stores schedules but never fires them, so the bridge reads them and fires their targets on time (every
 *   edition);
 * - the HTTP API gateway (local/http-api) with the app's routes when the edition has no API Gateway HTTP API,
 *   with the local dev-token key of `campusg token`.
 *
 * What to bridge is the difference between two cloud assemblies read by the same reader: the app's own
 * (`cdk.out`, what `cdk deploy` ships to AWS) and the one deployed to LocalStack (`cdk.out.localstack`,
 * written by `npm run localstack:deploy`). Function names are the same in both (`campusg-<stage>-...`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ensureAssembly, readAssembly } from '#local/assembly/index';
import { LOCAL_MSK_CLUSTER_ARN_SUFFIX } from '#local/assembly/intrinsics';
import { SchedulerEngine, type SchedulerEvent, schedulerApiSource } from '#local/aws-api/index';
import { DEFAULT_HOST, DEFAULT_PORTS, DEFAULT_STATE_DIR, LOCALSTACK_DEFAULTS } from '#local/core/defaults';
import { Teardown } from '#local/core/teardown';
import { ensureTopics } from '#local/core/topics';
import type { LocalAppModel, LocalEventSourceMapping, LocalRoute, LocalTopic } from '#local/core/types';
import { LocalJwt, startHttpApi } from '#local/http-api/index';
import { startEventSourceMappings } from '#local/runtime/esm';
import { startSagaPrinter } from '#local/runtime/saga-printer';
import { functionNameOf, LambdaApiInvoker } from './lambda-invoker';

export const BRIDGE_DEFAULTS = {
  endpoint: LOCALSTACK_DEFAULTS.endpoint,
  kafkaBrokers: LOCALSTACK_DEFAULTS.kafkaBrokers,
  appAssembly: 'cdk.out',
  deployedAssembly: 'cdk.out.localstack',
  httpPort: DEFAULT_PORTS.http,
  stateDir: DEFAULT_STATE_DIR,
  region: 'us-east-1',
} as const;

/** What the bridge runs for a deployment. */
export interface BridgePlan {
  /** Event-source mappings of the app that are not deployed. */
  readonly mappings: readonly LocalEventSourceMapping[];
  /** Topics the bridged mappings need on the compose Kafka (none when the deployment has its own). */
  readonly topics: readonly LocalTopic[];
  /** The app's routes when the deployment has no HTTP API; empty otherwise. */
  readonly routes: readonly LocalRoute[];
  /** Names of the deployed functions the bridge invokes (mappings and routes). */
  readonly functionNames: readonly string[];
  /** Schedule groups whose schedules the bridge fires. */
  readonly scheduleGroups: readonly string[];
}

export class BridgePlanError extends Error {
  override name = 'BridgePlanError';
}

/** Compares the app with what was deployed; throws when a bridged function is not part of the deployment. */
export function planBridge(app: LocalAppModel, deployed: LocalAppModel): BridgePlan {
  const deployedEsms = new Set(deployed.eventSourceMappings.map((m) => m.logicalId));
  const mappings = app.eventSourceMappings.filter((m) => !deployedEsms.has(m.logicalId));
  const routes = deployed.routes.length === 0 ? app.routes : [];
  const deployedTopics = new Set(deployed.topics.map((t) => t.name));
  const topics = mappings.length > 0 ? app.topics.filter((t) => !deployedTopics.has(t.name)) : [];
  const deployedNames = new Set(deployed.functions.map((f) => f.functionName));
  const names = [...new Set([...mappings, ...routes].map((x) => functionNameOf(x.functionArn)))];
  const missing = names.filter((n) => !deployedNames.has(n));
  if (missing.length > 0) {
    throw new BridgePlanError(
      `the deployed assembly has no function ${missing.join(', ')}; synthesize both assemblies from the same code and stage`,
    );
  }
  return { mappings, topics, routes, functionNames: names, scheduleGroups: deployed.scheduleGroups };
}

export interface BridgeOptions {
  /** Project root. */
  readonly cwd: string;
  /** The app's cloud assembly (synthesized when stale, like `npm start`). Default `cdk.out`. */
  readonly appAssemblyDir?: string;
  /** The assembly deployed to LocalStack. Default `cdk.out.localstack`. */
  readonly deployedAssemblyDir?: string;
  /** Synthesize the app's assembly when it is stale (default true). */
  readonly synth?: boolean;
  /** LocalStack's endpoint (Lambda, Scheduler). Default http://localhost:4566. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The compose Kafka as seen from this machine. Default localhost:9092. */
  readonly kafkaBrokers?: string;
  /** Schedule time runs this many times faster (the deadline a schedule names is compressed). Default 1. */
  readonly timeScale?: number;
  /** How often LocalStack's Scheduler is polled. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Port of the bridged HTTP API (only when the edition has none). Default 3000; 0 picks one. */
  readonly httpPort?: number;
  readonly host?: string;
  /** Holds the dev-token key (`campusg token`). Default `.campusg`. */
  readonly stateDir?: string;
  /** Overrides the ESMs' batching window (seconds); default 0, as in the embedded runtime. */
  readonly batchingWindowSeconds?: number;
  /** Print one line per saga event (default false). */
  readonly sagaLines?: boolean;
  readonly print?: (line: string) => void;
  readonly printError?: (line: string) => void;
  readonly onSchedulerEvent?: (event: SchedulerEvent) => void;
}

export interface Bridge {
  readonly plan: BridgePlan;
  readonly app: LocalAppModel;
  readonly scheduler: SchedulerEngine;
  readonly invoker: LambdaApiInvoker;
  /** The bridged HTTP API, when the edition has none. */
  readonly httpUrl?: string;
  /**
   * `CampusG-<stage>`: the prefix of the deployed stacks' names, read from the deployed assembly; what the
   * CLI's `--stack` / `CAMPUSG_STACK` takes for `--target localstack` (default `CampusG-dev`).
   */
  readonly stackPrefix?: string;
  stop(): Promise<void>;
}

/** The prefix of the stack names in an assembly (`CampusG-dev-Services` -> `CampusG-dev`), if it has the Services stack. */
export function deployedStackPrefix(assemblyDir: string): string | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8')) as {
      artifacts?: Record<string, { type?: string }>;
    };
    const services = Object.entries(manifest.artifacts ?? {}).find(
      ([name, a]) => a.type === 'aws:cloudformation:stack' && name.endsWith('-Services'),
    )?.[0];
    return services?.slice(0, -'-Services'.length);
  } catch {
    return undefined;
  }
}

function readDeployed(dir: string): LocalAppModel {
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new BridgePlanError(
      `no deployed assembly at ${dir}: run npm run localstack:deploy first (it synthesizes the LocalStack profile there)`,
    );
  }
  return readAssembly({ assemblyDir: dir });
}

async function assertDeployed(
  invoker: LambdaApiInvoker,
  names: readonly string[],
  endpoint: string,
): Promise<void> {
  if (names.length === 0) return;
  const present = new Set<string>();
  let Marker: string | undefined;
  do {
    const out = await invoker.client.send(new ListFunctionsCommand({ Marker }));
    for (const f of out.Functions ?? []) if (f.FunctionName) present.add(f.FunctionName);
    Marker = out.NextMarker;
  } while (Marker);
  const missing = names.filter((n) => !present.has(n));
  if (missing.length > 0) {
    throw new BridgePlanError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not deployed at ${endpoint}: run npm run localstack:deploy`,
    );
  }
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const cwd = path.resolve(options.cwd);
  const endpoint = options.endpoint ?? BRIDGE_DEFAULTS.endpoint;
  const region = options.region ?? BRIDGE_DEFAULTS.region;
  const credentials = options.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' };
  const brokers = (options.kafkaBrokers ?? BRIDGE_DEFAULTS.kafkaBrokers).split(',').map((b) => b.trim());
  const printError = options.printError ?? ((l: string) => process.stderr.write(`${l}\n`));
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));

  const appDir = path.resolve(cwd, options.appAssemblyDir ?? BRIDGE_DEFAULTS.appAssembly);
  await ensureAssembly({ cwd, assemblyDir: appDir, synth: options.synth !== false, log: printError });
  const app = readAssembly({ assemblyDir: appDir });
  const deployedDir = path.resolve(cwd, options.deployedAssemblyDir ?? BRIDGE_DEFAULTS.deployedAssembly);
  const deployed = readDeployed(deployedDir);
  const plan = planBridge(app, deployed);

  const invoker = new LambdaApiInvoker({ endpoint, region, credentials });
  const stops = new Teardown(printError);
  stops.add('lambda client', async () => invoker.destroy());

  try {
    await assertDeployed(invoker, plan.functionNames, endpoint);
    await ensureTopics(brokers, plan.topics, 'campusg-bridge-admin');

    let httpUrl: string | undefined;
    if (plan.routes.length > 0) {
      const http = await startHttpApi({
        port: options.httpPort ?? BRIDGE_DEFAULTS.httpPort,
        host: options.host ?? DEFAULT_HOST,
        routes: plan.routes,
        invoker,
        jwt: await LocalJwt.load(path.resolve(cwd, options.stateDir ?? BRIDGE_DEFAULTS.stateDir)),
        accountId: app.accountId,
      });
      stops.add('http api', () => http.stop());
      httpUrl = http.url;
    }

    if (plan.mappings.length > 0) {
      const esms = await startEventSourceMappings({
        mappings: plan.mappings,
        invoker,
        brokers,
        eventSourceArn: `arn:aws:kafka:${region}:${app.accountId}:${LOCAL_MSK_CLUSTER_ARN_SUFFIX}`,
        bootstrapServers: brokers.join(','),
        batchingWindowSeconds: options.batchingWindowSeconds ?? 0,
        log: (level, m) => {
          if (level !== 'debug') printError(`[esm] ${m}`);
        },
      });
      stops.add('event-source mappings', () => esms.stop());
    }

    const schedulerClient = new SchedulerClient({ endpoint, region, credentials });
    stops.add('scheduler client', async () => schedulerClient.destroy());
    const scheduler = new SchedulerEngine({
      source: schedulerApiSource({
        client: schedulerClient,
        groupName: plan.scheduleGroups.length === 1 ? plan.scheduleGroups[0] : undefined,
      }),
      invoker,
      timeScale: options.timeScale ?? 1,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      onEvent: options.onSchedulerEvent,
    });
    await scheduler.start();
    stops.add('scheduler', () => scheduler.stop());

    if (options.sagaLines) {
      const printer = await startSagaPrinter({
        brokers,
        topics: app.topics.map((t) => t.name).filter((t) => t !== 'system-logs'),
        groupId: 'campusg-bridge-saga-printer',
        print,
      });
      stops.add('saga printer', () => printer.stop());
    }

    return {
      plan,
      app,
      scheduler,
      invoker,
      httpUrl,
      stackPrefix: deployedStackPrefix(deployedDir),
      stop: () => stops.stop(),
    };
  } catch (err) {
    await stops.stop();
    throw err;
  }
}

/** The lines `campusg bridge` prints once it is up. */
export function describeBridge(bridge: Bridge, endpoint: string, brokers: string): string {
  const { plan } = bridge;
  return [
    '',
    `CampusG bridge is up (LocalStack at ${endpoint}, Kafka at ${brokers})`,
    `  event-source mappings  ${plan.mappings.length} bridged${plan.mappings.length === 0 ? ' (LocalStack runs them)' : ''}`,
    `  scheduler              firing schedules of ${plan.scheduleGroups.join(', ') || 'every group'}`,
    `  HTTP API               ${bridge.httpUrl ? `${bridge.httpUrl} (${plan.routes.length} routes; tokens: node bin/campusg.js token)` : 'served by LocalStack'}`,
    '',
    'The CLI against this deployment, in another terminal:',
    `  export CAMPUSG_TARGET=localstack${bridge.stackPrefix ? ` CAMPUSG_STACK=${bridge.stackPrefix}` : ''}${bridge.httpUrl ? ` CAMPUSG_API_URL=${bridge.httpUrl}` : ''}`,
    '',
  ].join('\n');
}
