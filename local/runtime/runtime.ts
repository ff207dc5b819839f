/**
 * The local runtime: the whole system from the synthesized cloud assembly on one machine, no AWS and no
 * Docker. Brings up the embedded Kafka broker (or uses an external one), dynalite (or an external DynamoDB),
 * the AWS API emulator (Scheduler, CloudWatch Logs, Lambda Invoke), the HTTP API, every function from its
 * bundle in cdk.out, one ESM emulator per event-source mapping and the log subscriptions; writes
 * `<stateDir>/runtime.json` so CLI commands in another terminal find it.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureAssembly, readAssembly } from '#local/assembly/index';
import { LOCAL_MSK_CLUSTER_ARN_SUFFIX } from '#local/assembly/intrinsics';
import { type SchedulerEvent, startAwsApi } from '#local/aws-api/index';
import { startConsole } from '#local/console/index';
import { DEFAULT_HOST, DEFAULT_PORTS, DEFAULT_STATE_DIR } from '#local/core/defaults';
import { removeRuntimeFile, runtimeFileOf, writeRuntimeFile } from '#local/core/state-file';
import { Teardown } from '#local/core/teardown';
import { ensureTopics } from '#local/core/topics';
import type { LocalAppModel, LocalFunction } from '#local/core/types';
import { LocalJwt, startHttpApi } from '#local/http-api/index';
import { type IamMode, LocalIam } from '#local/iam/index';
import { announce } from '#local/instance-guard/index';
import { startBroker } from '#local/kafka-broker/index';
import { createTables, type LocalDynamo, localDynamoClient, startDynalite } from './dynamo';
import { startEventSourceMappings } from './esm';
import { FunctionHost } from './function-host';
import { lockRuntimeDirectories } from './instance-lock';
import { MemoryLogStore, startSubscriptionDelivery } from './logs';
import { type SagaLine, startSagaPrinter } from './saga-printer';

export interface RuntimeOptions {
  /** Project root (where infra/, functions/, cdk.json live). */
  readonly cwd: string;
  /** The cloud assembly; default `<cwd>/cdk.out`. */
  readonly assemblyDir?: string;
  /** Keeps broker, table, schedule and log state across restarts; in memory when undefined. */
  readonly dataDir?: string;
  readonly kafkaPort?: number;
  readonly httpPort?: number;
  readonly awsPort?: number;
  /** 0 (default): any free port. */
  readonly dynamodbPort?: number;
  readonly host?: string;
  /** External Kafka bootstrap servers (`host:port,...`) instead of the embedded broker. */
  readonly kafkaBrokers?: string;
  /** External DynamoDB endpoint instead of dynalite. */
  readonly dynamodbEndpoint?: string;
  /** Scheduler time runs this many times faster than real time. */
  readonly timeScale?: number;
  /**
   * Whether the local Scheduler fires its schedules (default true). false makes it store-only, like
   * LocalStack's, e.g. for a stand-in that the LocalStack bridge fires schedules of.
   */
  readonly fireSchedules?: boolean;
  /** Synthesize when cdk.out is stale (default true). */
  readonly synth?: boolean;
  /** No endpoint banner, no saga lines. */
  readonly quiet?: boolean;
  /** Where the banner, saga lines and diagnostics go; default stdout / stderr. */
  readonly print?: (line: string) => void;
  readonly printError?: (line: string) => void;
  /** Processes per function at most (default 2: on a laptop's few cores more only adds contention; bench/saga.ts). */
  readonly maxInstancesPerFunction?: number;
  /** Print one line per saga event (default true unless quiet). */
  readonly sagaLines?: boolean;
  /** Called for every saga event seen (tests and the bench use it). */
  readonly onSagaEvent?: (line: SagaLine) => void;
  /** Overrides the ESMs' batching window (seconds); default: each mapping's `MaximumBatchingWindowInSeconds`. */
  readonly batchingWindowSeconds?: number;
  /**
   * runtime.json and the local JWT key live here: `<cwd>/.campusg` unless given, whatever `dataDir` is, so
   * CLI commands run from the same directory find them (`--state-dir` / `CAMPUSG_STATE_DIR` on both sides).
   */
  readonly stateDir?: string;
  /** Write `<stateDir>/runtime.json` (default true). */
  readonly writeStateFile?: boolean;
  /**
   * Local IAM (local/iam): `enforce` (default) checks every function's AWS calls and Kafka operations
   * against its execution role in the template and refuses what AWS would; `warn` prints and allows;
   * `off` gives every function the same unchecked credentials.
   */
  readonly iam?: IamMode;
  /** Serve the web console (local/console) on this port (0: any free port); no console when undefined. */
  readonly consolePort?: number;
}

export interface RuntimeEndpoints {
  readonly kafka: string;
  readonly http: string;
  readonly aws: string;
  readonly dynamodb: string;
  /** The web console's URL, when the runtime serves it (`consolePort`). */
  readonly console?: string;
}

export interface Runtime {
  readonly endpoints: RuntimeEndpoints;
  readonly model: LocalAppModel;
  readonly invoker: FunctionHost;
  readonly logs: MemoryLogStore;
  readonly stateDir: string;
  /** Local IAM, unless `iam: 'off'`: its mode and every refused (or, in warn mode, reported) call. */
  readonly iam?: Pick<LocalIam, 'mode' | 'denials'>;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly service: string,
    readonly flag: string,
  ) {
    super(`port ${port} is already in use (${service}); pass ${flag}`);
    this.name = 'PortInUseError';
  }
}

/** Fails with a clear error when `port` is taken. */
export async function assertPortFree(
  port: number,
  host: string,
  service: string,
  flag: string,
): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') reject(new PortInUseError(port, service, flag));
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}

/** Functions something in the template triggers (routes, mappings, subscriptions, schedule targets). */
function triggeredFunctions(model: LocalAppModel): Set<string> {
  const arns = new Set<string>();
  for (const r of model.routes) arns.add(r.functionArn);
  for (const m of model.eventSourceMappings) arns.add(m.functionArn);
  for (const s of model.subscriptionFilters) arns.add(s.destinationArn);
  const fnArns = new Set(model.functions.map((f) => f.arn));
  for (const f of model.functions)
    for (const v of Object.values(f.environment)) if (fnArns.has(v)) arns.add(v);
  return arns;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const cwd = path.resolve(options.cwd);
  const host = options.host ?? DEFAULT_HOST;
  const kafkaPort = options.kafkaPort ?? DEFAULT_PORTS.kafka;
  const httpPort = options.httpPort ?? DEFAULT_PORTS.http;
  const awsPort = options.awsPort ?? DEFAULT_PORTS.aws;
  const assemblyDir = path.resolve(cwd, options.assemblyDir ?? 'cdk.out');
  const dataDir = options.dataDir ? path.resolve(cwd, options.dataDir) : undefined;
  const stateDir = path.resolve(cwd, options.stateDir ?? DEFAULT_STATE_DIR);
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const printError = options.printError ?? ((l: string) => process.stderr.write(`${l}\n`));
  const quiet = options.quiet ?? false;
  const stateFile = runtimeFileOf(stateDir);

  fs.mkdirSync(stateDir, { recursive: true });
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const stops = new Teardown(printError);
  // Before anything else: a second start on the same directories is refused with what runs (instance-lock.ts).
  const locks = await lockRuntimeDirectories({
    stateDir,
    dataDir,
    stateFile: options.writeStateFile !== false && stateFile,
    onNotice: printError,
  });
  stops.addFinal('directory locks', () => locks.release());
  const orRelease = async <T>(step: () => Promise<T>): Promise<T> =>
    step().catch(async (err) => {
      await stops.stop();
      throw err;
    });

  await orRelease(async () => {
    if (!options.kafkaBrokers) await assertPortFree(kafkaPort, host, 'kafka', '--kafka-port');
    await assertPortFree(httpPort, host, 'http api', '--http-port');
    await assertPortFree(awsPort, host, 'aws api', '--aws-port');
    if (options.consolePort !== undefined)
      await assertPortFree(options.consolePort, host, 'console', '--console-port');
    await ensureAssembly({ cwd, assemblyDir, synth: options.synth !== false, log: (l) => printError(l) });
  });
  const assembled = await orRelease(async () => readAssembly({ assemblyDir }));
  let model: LocalAppModel = assembled;

  try {
    // --- local IAM: execution roles from the template, credentials per function ---------------------------
    const mskClusterArn = `arn:aws:kafka:${model.region}:${model.accountId}:${LOCAL_MSK_CLUSTER_ARN_SUFFIX}`;
    const iamMode = options.iam ?? 'enforce';
    const iam =
      iamMode === 'off'
        ? undefined
        : new LocalIam({
            mode: iamMode,
            assemblyDir,
            region: model.region,
            accountId: model.accountId,
            clusterArn: mskClusterArn,
            report: (line) => printError(`[iam] ${line}`),
          });
    for (const warning of iam?.warnings() ?? []) printError(`[iam] ${warning}`);
    // Functions reach the embedded broker the AWS way (GetBootstrapBrokers, MSK IAM on a SASL listener).
    let kafkaSaslAddress: string | undefined;

    // --- Kafka ---------------------------------------------------------------------------------------------
    let kafkaAddress: string;
    if (options.kafkaBrokers) {
      kafkaAddress = options.kafkaBrokers;
      await ensureTopics(kafkaAddress.split(','), model.topics);
    } else {
      const broker = await startBroker({
        ...iam?.brokerOptions(),
        port: kafkaPort,
        host,
        dataDir: dataDir ? path.join(dataDir, 'kafka') : undefined,
        topics: model.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions,
          retentionMs:
            t.configs['retention.ms'] !== undefined ? Number(t.configs['retention.ms']) : undefined,
          configs: t.configs,
        })),
      }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') throw new PortInUseError(kafkaPort, 'kafka', '--kafka-port');
        throw err;
      });
      stops.add('kafka broker', () => broker.stop());
      kafkaAddress = broker.address;
      kafkaSaslAddress = broker.saslAddress;
    }
    const brokers = kafkaAddress.split(',');

    // --- DynamoDB ------------------------------------------------------------------------------------------
    let dynamodbEndpoint: string;
    if (options.dynamodbEndpoint) {
      dynamodbEndpoint = options.dynamodbEndpoint;
    } else {
      const dynamo: LocalDynamo = await startDynalite({
        host,
        port: options.dynamodbPort ?? 0,
        path: dataDir ? path.join(dataDir, 'dynamodb') : undefined,
      });
      stops.add('dynalite', () => dynamo.stop());
      dynamodbEndpoint = dynamo.endpoint;
    }
    const ddb = localDynamoClient(dynamodbEndpoint, model.region);
    await createTables(ddb, model.tables);
    ddb.destroy();
    if (iam) {
      const proxy = await iam.startDynamoDbProxy(dynamodbEndpoint, host);
      stops.add('dynamodb iam proxy', () => proxy.stop());
      dynamodbEndpoint = proxy.endpoint;
    }

    // --- logs, functions -----------------------------------------------------------------------------------
    const logs = new MemoryLogStore({ dir: dataDir ? path.join(dataDir, 'logs') : undefined });
    for (const f of model.functions) logs.ensureGroup(f.logGroupName);
    const awsUrl = `http://${host}:${awsPort}`;
    let awsEndpoint = awsUrl;
    const host_ = new FunctionHost({
      functions: model.functions,
      logs,
      region: model.region,
      removeVariables: kafkaSaslAddress ? [] : ['MSK_CLUSTER_ARN'],
      environmentOverrides: (fn) => {
        const env = localOverrides({
          brokers: kafkaAddress,
          dynamodbEndpoint,
          awsEndpoint,
          region: model.region,
        });
        if (!iam) return env;
        // Only a function whose template names an MSK cluster takes the MSK IAM path; one that is given plain
        // brokers (the LocalStack profile's KAFKA_BROKERS) keeps the local plaintext broker.
        const mskIam = kafkaSaslAddress && fn.environment.MSK_CLUSTER_ARN !== undefined;
        return iam.functionEnvironment(fn.functionName, env, mskIam ? { awsEndpoint } : undefined);
      },
      maxInstancesPerFunction: options.maxInstancesPerFunction ?? 2,
      onDiagnostic: (m) => printError(`[function-host] ${m}`),
    });
    stops.add('function host', () => host_.stop());

    // --- AWS APIs (Scheduler, Logs, Lambda) ----------------------------------------------------------------
    const awsApi = await startAwsApi({
      port: awsPort,
      host,
      invoker: host_,
      logs,
      timeScale: options.timeScale ?? 1,
      fireSchedules: options.fireSchedules,
      dataDir,
      region: model.region,
      accountId: model.accountId,
      functions: model.functions,
      scheduleGroups: model.scheduleGroups,
      authorizer: iam?.awsApiAuthorizer(),
      kafka: { clusterArn: mskClusterArn, plaintext: kafkaAddress, saslIam: kafkaSaslAddress },
      onSchedulerEvent: (e) => {
        const line = quiet ? undefined : describeSchedulerEvent(e);
        if (line) printError(`[scheduler] ${line}`);
      },
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw new PortInUseError(awsPort, 'aws api', '--aws-port');
      throw err;
    });
    awsEndpoint = awsApi.url;
    stops.add('aws api', () => awsApi.stop());

    // --- HTTP API ------------------------------------------------------------------------------------------
    // The CLI mints dev tokens with the key of the same state dir (`campusg token`).
    const jwt = await LocalJwt.load(stateDir);
    const httpApi = await startHttpApi({
      port: httpPort,
      host,
      routes: model.routes,
      invoker: host_,
      jwt,
      accountId: model.accountId,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw new PortInUseError(httpPort, 'http api', '--http-port');
      throw err;
    });
    stops.add('http api', () => httpApi.stop());

    // --- warm the functions something triggers, then the mappings -------------------------------------------
    const triggered = triggeredFunctions(model);
    await Promise.all(
      model.functions.filter((f) => triggered.has(f.arn)).map((f) => host_.warmFunction(f.arn)),
    );

    const esms = await startEventSourceMappings({
      mappings: model.eventSourceMappings,
      invoker: host_,
      brokers,
      eventSourceArn: mskClusterArn,
      // Under local IAM each mapping consumes as its function, with the function's own MSK IAM token.
      clientFor: (m) => {
        const fn = host_.resolve(m.functionArn);
        const sasl = kafkaSaslAddress && fn ? iam?.esmSasl(fn.functionName) : undefined;
        return sasl ? { brokers: [kafkaSaslAddress!], sasl } : undefined;
      },
      bootstrapServers: kafkaAddress,
      batchingWindowSeconds: options.batchingWindowSeconds, // default: each mapping's template value
      log: (level, m) => {
        if (level === 'debug') return;
        if (!quiet || level === 'error') printError(`[esm] ${m}`);
      },
    });
    stops.add('event-source mappings', () => esms.stop());

    const subscriptions = startSubscriptionDelivery({
      logs,
      invoker: host_,
      filters: model.subscriptionFilters,
      accountId: model.accountId,
      logGroupOfFunction: (arn) => host_.resolve(arn)?.logGroupName,
      onError: (m) => printError(`[logs] ${m}`),
    });
    stops.add('log subscriptions', () => subscriptions.stop());

    // --- web console (local/console): reads the same emulators, places orders through the HTTP API -------
    const webConsole =
      options.consolePort === undefined
        ? undefined
        : await startConsole({
            port: options.consolePort,
            host,
            root: cwd,
            model,
            endpoints: { http: httpApi.url, aws: awsApi.url, kafka: kafkaAddress },
            logStore: logs,
            mappings: esms.mappings,
            jwt,
            dataDir,
            onError: (m) => printError(`[console] ${m}`),
          }).catch((err: NodeJS.ErrnoException) => {
            if (err.code === 'EADDRINUSE')
              throw new PortInUseError(options.consolePort!, 'console', '--console-port');
            throw err;
          });
    if (webConsole) stops.add('console', () => webConsole.stop());

    const endpoints: RuntimeEndpoints = {
      kafka: kafkaAddress,
      http: httpApi.url,
      aws: awsApi.url,
      dynamodb: dynamodbEndpoint,
      ...(webConsole ? { console: webConsole.url } : {}),
    };
    // A refused second start names these (local/instance-guard).
    announce({ endpoints: { ...endpoints } });
    // Stack outputs that name the deployed API point at the local one.
    model = {
      ...assembled,
      outputs: Object.fromEntries(
        Object.entries(assembled.outputs).map(([k, v]) => [
          k,
          /\.execute-api\./.test(v) ? `${httpApi.url}/` : v,
        ]),
      ),
    };

    // --- saga lines ----------------------------------------------------------------------------------------
    const sagaTopics = model.topics.map((t) => t.name).filter((t) => t !== 'system-logs');
    if ((options.sagaLines ?? !quiet) || options.onSagaEvent) {
      const printer = await startSagaPrinter({
        brokers,
        topics: sagaTopics,
        print: (options.sagaLines ?? !quiet) ? print : undefined,
        onEvent: options.onSagaEvent,
      });
      stops.add('saga printer', () => printer.stop());
    }

    if (options.writeStateFile !== false) {
      writeRuntimeFile(stateFile, {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        endpoints,
        dataDir,
        timeScale: options.timeScale ?? 1,
      });
      // Ours to remove: this process holds the state directory's lock.
      stops.addFinal('state file', async () => removeRuntimeFile(stateFile));
    }

    if (!quiet) {
      print(
        banner(model, endpoints, {
          stateDir,
          defaultStateDir: stateDir === path.join(cwd, DEFAULT_STATE_DIR),
          dataDir,
          timeScale: options.timeScale ?? 1,
          firing: options.fireSchedules !== false,
        }),
      );
    }

    return {
      endpoints,
      model,
      invoker: host_,
      logs,
      stateDir,
      iam,
      stop: () => stops.stop(),
    };
  } catch (err) {
    await stops.stop();
    throw err;
  }
}

/** The environment overrides every function gets locally (on top of its template environment). */
export function localOverrides(o: {
  brokers: string;
  dynamodbEndpoint: string;
  awsEndpoint: string;
  region: string;
}): Record<string, string> {
  return {
    KAFKA_BROKERS: o.brokers,
    KAFKA_AUTH: 'none',
    KAFKA_TLS: 'false',
    AWS_ENDPOINT_URL_DYNAMODB: o.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SCHEDULER: o.awsEndpoint,
    AWS_ENDPOINT_URL_LAMBDA: o.awsEndpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: o.awsEndpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_REGION: o.region,
    AWS_DEFAULT_REGION: o.region,
    // The SDK's notice about the host's Node.js version is not the function's output: keep it out of the logs.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CAMPUSG_LOCAL: 'true',
  };
}

/** One readable line per firing outcome (invoking / completed are implied by them), or undefined. */
export function describeSchedulerEvent(e: SchedulerEvent): string | undefined {
  switch (e.type) {
    case 'succeeded':
      return `fired ${e.schedule.groupName}/${e.schedule.name}${e.attempts > 1 ? ` (attempt ${e.attempts})` : ''}`;
    case 'retrying':
      return `${e.schedule.groupName}/${e.schedule.name} attempt ${e.attempt} failed (${e.error}); retrying in ${Math.round(e.delayMs)} ms`;
    case 'failed':
      return `${e.schedule.groupName}/${e.schedule.name} failed after ${e.attempts} attempt(s): ${e.error}`;
    case 'source-error':
      return e.error;
    default:
      return undefined;
  }
}

function banner(
  model: LocalAppModel,
  e: RuntimeEndpoints,
  o: {
    stateDir: string;
    defaultStateDir: boolean;
    dataDir: string | undefined;
    timeScale: number;
    firing: boolean;
  },
): string {
  const { stateDir, dataDir, timeScale } = o;
  const lines = [
    '',
    'CampusG local runtime is up',
    `  HTTP API      ${e.http}   (${model.routes.length} routes)`,
    `  Kafka         ${e.kafka}   (${model.topics.length} topics)`,
    `  AWS APIs      ${e.aws}   (Scheduler, CloudWatch Logs, Lambda)`,
    `  DynamoDB      ${e.dynamodb}   (${model.tables.length} tables)`,
    ...(e.console
      ? [`  console       ${e.console}   (web console: orders, dead letters, logs, topics)`]
      : []),
    `  functions     ${functionCount(model)}, event-source mappings ${model.eventSourceMappings.length}, log subscriptions ${model.subscriptionFilters.length}`,
    `  state dir     ${stateDir} (runtime.json, dev-token key)`,
    `  data dir      ${dataDir ? `${dataDir} (records, tables, schedules, logs kept across restarts)` : 'none: data in memory (--data-dir keeps it)'}`,
  ];
  if (!o.firing) lines.push('  scheduler     stores schedules, never fires them');
  else if (timeScale !== 1) lines.push(`  time scale    ${scaledDeadline(model, timeScale)}`);
  if (!o.defaultStateDir)
    lines.push(`  other terminals: export CAMPUSG_STATE_DIR=${stateDir}  (or pass --state-dir)`);
  lines.push(
    '',
    'Try: node bin/campusg.js demo   |   node bin/campusg.js orders create --help   |   Ctrl-C stops',
    '',
  );
  return lines.join('\n');
}

/**
 * "11 (10 CampusG entry points + 1 CDK custom-resource handler)": the template also holds CDK's own handlers
 * (the default-security-group one), which docs/conventions.md does not list. Ours carry CAMPUSG_SERVICE.
 */
function functionCount(model: LocalAppModel): string {
  const ours = model.functions.filter((f) => 'CAMPUSG_SERVICE' in f.environment).length;
  const cdk = model.functions.length - ours;
  if (cdk === 0) return `${ours} (CampusG entry points)`;
  return `${model.functions.length} (${ours} CampusG entry points + ${cdk} CDK custom-resource handler${cdk === 1 ? '' : 's'})`;
}

/** The acceptance deadline as the scaled scheduler will fire it; orders keep the real-time acceptDeadline. */
function scaledDeadline(model: LocalAppModel, timeScale: number): string {
  const seconds = Number(
    model.functions.find((f) => f.environment.ORDER_ACCEPT_TIMEOUT_SECONDS)?.environment
      .ORDER_ACCEPT_TIMEOUT_SECONDS,
  );
  const base = `x${timeScale}: schedules fire ${timeScale} times sooner`;
  if (!(seconds > 0)) return base;
  const scaled = seconds / timeScale;
  const show = (s: number) => (s >= 120 ? `${+(s / 60).toFixed(1)} min` : `${+s.toFixed(1)} s`);
  return `${base}; an order's acceptance deadline (${show(seconds)}) fires after ${show(scaled)}, while its acceptDeadline field stays in real time`;
}

export type { LocalFunction };
