import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as z from 'zod';
import { DEFAULT_HOST, DEFAULT_PORTS } from '#local/core/defaults';
import { cannotListen, closeServer, listenOn } from '#local/core/listen';
import type { Invoker, LocalFunction, LogStore } from '#local/core/types';
import {
  AwsApiError,
  AwsApiStartError,
  InternalError,
  ResourceNotFoundError,
  UnknownOperationError,
  ValidationError,
} from './errors';
import {
  type ApiReply,
  type ApiRequest,
  type AwsApiService,
  parseJsonObject,
  type RequestAuthorizer,
  readBody,
  validate,
} from './http';
import { LambdaApi, MAX_INVOKE_PAYLOAD } from './lambda-api';
import { LOGS_TARGET_PREFIX, LogsApi } from './logs-api';
import { SchedulerApi, SchedulerEngine, type SchedulerEvent, ScheduleStore } from './scheduler';

/**
 * One HTTP server that answers the AWS SDK v3 for the services the handlers and the CLI use locally:
 * EventBridge Scheduler (REST-JSON, paths /schedules and /schedule-groups), Lambda (REST-JSON, paths
 * /2015-03-31/functions) and CloudWatch Logs (JSON 1.1, `X-Amz-Target: Logs_20140328.*`). Point the SDK at
 * it with `AWS_ENDPOINT_URL_SCHEDULER`, `AWS_ENDPOINT_URL_LAMBDA` and `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`.
 * With an `authorizer` (the runtime's local IAM) every AWS call is checked before its handler runs and a
 * refusal answers with the service's AccessDeniedException; without one, signatures are not checked.
 * MSK's GetBootstrapBrokers (REST-JSON, GET /v1/clusters/{arn}/bootstrap-brokers) answers with the
 * embedded broker's listeners when `kafka` is given. The Scheduler really fires its `at()` schedules (see scheduler/engine.ts).
 * Local-only controls (no AWS counterpart) let a demo or test in another process skip time:
 * `GET /_campusg/scheduler/pending`, `POST /_campusg/scheduler/advance` with `{"ms": <schedule time>}` (every
 * known schedule) and `POST /_campusg/scheduler/fire` with `{"name", "group"}` (that one schedule, now,
 * through the engine's normal firing path; answers with the outcome once the target has run).
 */

export interface AwsApiOptions {
  /** Default 4577. 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly invoker: Invoker;
  readonly logs: LogStore;
  /** Scheduler time runs this many times faster than real time. Default 1. */
  readonly timeScale?: number;
  /** Schedules persist in `<dataDir>/scheduler/` when given. */
  readonly dataDir?: string;
  /** Default us-east-1. */
  readonly region?: string;
  /** Default 000000000000. */
  readonly accountId?: string;
  /** The app's functions: ListFunctions lists them, Invoke answers 404 for others, their log groups exist. */
  readonly functions?: readonly LocalFunction[];
  /** Schedule groups of the template (`default` always exists); CreateSchedule in another group is a 404. */
  readonly scheduleGroups?: readonly string[];
  /** Every firing, retry and failure of the scheduler (the runtime prints them). */
  readonly onSchedulerEvent?: (event: SchedulerEvent) => void;
  /**
   * Whether the Scheduler fires its schedules. Default true; false makes it store-only, like LocalStack's,
   * for testing a bridge that fires them through `schedulerApiSource`.
   */
  readonly fireSchedules?: boolean;
  /** First retry delay of a failed schedule target, in schedule time. Default 1000 ms. */
  readonly schedulerRetryBaseDelayMs?: number;
  /** Checks every AWS call before it runs (local IAM); default: none. */
  readonly authorizer?: RequestAuthorizer;
  /** Answers MSK GetBootstrapBrokers for this cluster ARN with these bootstrap strings. */
  readonly kafka?: {
    readonly clusterArn: string;
    /** Plaintext listener (`BootstrapBrokerString`). */
    readonly plaintext?: string;
    /** SASL listener functions use with MSK IAM (`BootstrapBrokerStringSaslIam`). */
    readonly saslIam?: string;
  };
}

export interface AwsApi {
  /** `http://host:port` — the value for every `AWS_ENDPOINT_URL_<SERVICE>`. */
  readonly url: string;
  readonly port: number;
  readonly scheduler: SchedulerEngine;
  readonly schedules: ScheduleStore;
  stop(): Promise<void>;
}

type Protocol = 'json-1.1' | 'rest-json';

const JSON_11 = 'application/x-amz-json-1.1';
/** First path segment of the emulator's own (non-AWS) controls. */
export const LOCAL_CONTROL_PATH = '_campusg';
const MAX_BODY = 1024 * 1024;

/** The service named in a SigV4 Authorization header's credential scope, if any. */
function signingService(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return typeof auth === 'string' ? /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(auth)?.[1] : undefined;
}

function writeReply(res: ServerResponse, reply: ApiReply, protocol: Protocol, requestId: string): void {
  const body = reply.raw ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
  res.writeHead(reply.statusCode ?? 200, {
    'content-type': reply.contentType ?? (protocol === 'json-1.1' ? JSON_11 : 'application/json'),
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': requestId,
    ...reply.headers,
  });
  res.end(body);
}

function writeError(res: ServerResponse, err: unknown, protocol: Protocol, requestId: string): void {
  const error =
    err instanceof AwsApiError
      ? err
      : new InternalError(
          protocol === 'json-1.1' ? 'ServiceUnavailableException' : 'InternalServerException',
          `the local AWS API failed: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
  // JSON 1.1 services answer every client error with 400; REST-JSON ones use the error's own status.
  const statusCode =
    protocol === 'json-1.1' && error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 413
      ? 400
      : error.statusCode;
  const body =
    protocol === 'json-1.1'
      ? { __type: error.code, message: error.message }
      : { message: error.message, Message: error.message, Type: statusCode >= 500 ? 'Service' : 'User' };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeReply(
    res,
    { statusCode, json: body, headers: { 'x-amzn-errortype': error.code } },
    protocol,
    requestId,
  );
}

export async function startAwsApi(options: AwsApiOptions): Promise<AwsApi> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const host = options.host ?? DEFAULT_HOST;
  const functions = () => options.functions ?? [];
  const schedules = new ScheduleStore({
    region,
    accountId,
    dataDir: options.dataDir,
    groups: options.scheduleGroups,
  });
  const schedulerApi = new SchedulerApi(schedules);
  const logsApi = new LogsApi({
    logs: options.logs,
    region,
    accountId,
    knownGroups: () => functions().map((f) => f.logGroupName),
  });
  const lambdaApi = new LambdaApi({
    invoker: options.invoker,
    functions: options.functions ? functions : undefined,
  });
  const scheduler = new SchedulerEngine({
    source: schedules.asSource(),
    invoker: options.invoker,
    timeScale: options.timeScale,
    retryBaseDelayMs: options.schedulerRetryBaseDelayMs,
    onEvent: options.onSchedulerEvent,
  });

  /**
   * Local-only controls: `GET /_campusg/scheduler/pending`, `POST /_campusg/scheduler/advance {"ms"}`,
   * `POST /_campusg/scheduler/fire {"name", "group"}`.
   */
  async function control(method: string, path: readonly string[], body: Buffer): Promise<ApiReply> {
    const what = path.join('/');
    if (method === 'GET' && what === 'scheduler/pending') {
      await scheduler.refresh();
      return { json: { pending: scheduler.pending() } };
    }
    if (method === 'POST' && what === 'scheduler/advance') {
      const { ms } = validate(
        z.object({
          ms: z
            .number()
            .int()
            .min(0)
            .max(366 * 86_400_000),
        }),
        parseJsonObject(body, 'AdvanceScheduler'),
        'AdvanceScheduler',
      );
      await scheduler.advance(ms);
      return { json: { advancedMs: ms, pending: scheduler.pending() } };
    }
    if (method === 'POST' && what === 'scheduler/fire') {
      const { name, group } = validate(
        z.object({ name: z.string().min(1).max(64), group: z.string().min(1).max(64) }),
        parseJsonObject(body, 'FireSchedule'),
        'FireSchedule',
      );
      if (options.fireSchedules === false) {
        throw new ValidationError(
          'this Scheduler stores schedules without firing them (fireSchedules: false)',
        );
      }
      const outcome = await scheduler.fireNow(name, group);
      if (!outcome) {
        throw new ResourceNotFoundError(
          `no pending schedule ${group}/${name}: it does not exist, is disabled or has fired already`,
        );
      }
      return { json: { name, group, ...outcome } };
    }
    throw new UnknownOperationError(
      `${method} /${LOCAL_CONTROL_PATH}/${what} is not a local control (GET scheduler/pending, POST scheduler/advance, POST scheduler/fire)`,
    );
  }

  /** Throws the service's refusal when the authorizer refuses the call. */
  async function authorize(
    req: IncomingMessage,
    service: AwsApiService,
    body: Buffer,
    segments: readonly string[],
    query: URLSearchParams,
    operation?: string,
  ): Promise<void> {
    if (!options.authorizer) return;
    const refusal = await options.authorizer.authorize({
      service,
      operation,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      segments,
      query,
      headers: req.headers,
      body,
    });
    if (refusal) throw new AwsApiError(refusal.code, refusal.message, refusal.statusCode);
  }

  /** MSK GetBootstrapBrokers: the embedded broker's listeners for the template's cluster ARN. */
  function kafkaApi(request: ApiRequest): ApiReply {
    const [, collection, clusterArn, sub] = request.segments;
    const kafka = options.kafka;
    if (request.method !== 'GET' || collection !== 'clusters' || sub !== 'bootstrap-brokers' || !clusterArn) {
      throw new UnknownOperationError(
        `MSK: ${request.method} /${request.segments.join('/')} is not supported by the local AWS API (it serves GetBootstrapBrokers)`,
      );
    }
    if (!kafka || clusterArn !== kafka.clusterArn) {
      throw new AwsApiError(
        'NotFoundException',
        `cluster ${clusterArn} does not exist locally${kafka ? ` (the local cluster is ${kafka.clusterArn})` : ''}`,
        404,
      );
    }
    return {
      json: {
        ...(kafka.plaintext ? { bootstrapBrokerString: kafka.plaintext } : {}),
        ...(kafka.saslIam ? { bootstrapBrokerStringSaslIam: kafka.saslIam } : {}),
      },
    };
  }

  async function route(req: IncomingMessage): Promise<[Protocol, ApiReply]> {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      if (!target.startsWith(LOGS_TARGET_PREFIX)) {
        throw new UnknownOperationError(
          `${target} is not supported by the local AWS API (it serves CloudWatch Logs ${LOGS_TARGET_PREFIX}*)`,
        );
      }
      const operation = target.slice(LOGS_TARGET_PREFIX.length);
      const raw = await readBody(req, MAX_BODY);
      await authorize(req, 'logs', raw, [], new URLSearchParams(), operation);
      const body = parseJsonObject(raw, operation);
      return ['json-1.1', logsApi.handle(operation, body)];
    }
    const url = new URL(req.url ?? '/', 'http://local');
    let segments: string[];
    try {
      segments = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
    } catch (err) {
      throw new ValidationError(`the request path ${url.pathname} is not valid percent-encoding`, {
        cause: err,
      });
    }
    const request = (body: Buffer): ApiRequest => ({
      method: req.method ?? 'GET',
      segments,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    if (segments[0] === LOCAL_CONTROL_PATH) {
      return [
        'rest-json',
        await control(req.method ?? 'GET', segments.slice(1), await readBody(req, MAX_BODY)),
      ];
    }
    if (segments[0] === '2015-03-31') {
      const body = await readBody(req, MAX_INVOKE_PAYLOAD);
      await authorize(req, 'lambda', body, segments, url.searchParams);
      return ['rest-json', await lambdaApi.handle(request(body))];
    }
    if (segments[0] === 'schedules' || segments[0] === 'schedule-groups' || segments[0] === 'tags') {
      const body = await readBody(req, MAX_BODY);
      await authorize(req, 'scheduler', body, segments, url.searchParams);
      return ['rest-json', schedulerApi.handle(request(body))];
    }
    if (segments[0] === 'v1' && segments[1] === 'clusters') {
      const body = await readBody(req, MAX_BODY);
      await authorize(req, 'kafka', body, segments, url.searchParams);
      return ['rest-json', kafkaApi(request(body))];
    }
    const service = signingService(req);
    throw new UnknownOperationError(
      `${req.method} ${url.pathname}${service ? ` (service ${service})` : ''} is not supported by the local AWS API; ` +
        'it serves EventBridge Scheduler, Lambda Invoke/ListFunctions, CloudWatch Logs and MSK GetBootstrapBrokers',
    );
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    const protocol: Protocol = typeof req.headers['x-amz-target'] === 'string' ? 'json-1.1' : 'rest-json';
    route(req).then(
      ([p, reply]) => writeReply(res, reply, p, requestId),
      (err: unknown) => {
        // Drop the rest of a refused body so the client reads the answer, not a reset; cut off floods.
        if (err instanceof AwsApiError && err.statusCode === 413) {
          let dropped = 0;
          req.on('data', (chunk: Buffer) => {
            dropped += chunk.length;
            if (dropped > 4 * MAX_INVOKE_PAYLOAD) req.destroy();
          });
          req.resume();
        }
        writeError(res, err, protocol, requestId);
      },
    );
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  const port = options.port ?? DEFAULT_PORTS.aws;
  const bound = await listenOn(
    server,
    port,
    host,
    (err) => new AwsApiStartError(cannotListen('the local AWS API', host, port, err), { cause: err }),
  );
  const actualPort = bound.port;
  try {
    if (options.fireSchedules !== false) await scheduler.start();
  } catch (err) {
    server.close();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: bound.url,
    port: actualPort,
    scheduler,
    schedules,
    stop() {
      stopping ??= (async () => {
        await scheduler.stop();
        await closeServer(server);
      })();
      return stopping;
    },
  };
}
