/**
 * Seams of the local system (local/core, imported by every other local/ folder). The assembly reader turns
 * the synthesized CloudFormation templates into a `LocalAppModel`; the function host implements `Invoker`;
 * the log capture implements `LogStore`. The HTTP API gateway, the AWS API emulator (Scheduler, CloudWatch
 * Logs, Lambda Invoke), the ESM emulator and the CLI only ever use these interfaces, so the same code serves
 * the embedded runtime and the LocalStack bridge (which invokes through the real Lambda Invoke API instead).
 */

export interface LocalFunction {
  /** CloudFormation logical id, e.g. `OrderApiFunctionA1B2C3`. */
  readonly logicalId: string;
  /** The construct path's last meaningful id from docs/conventions.md, e.g. `OrderApiFunction`. */
  readonly constructId: string;
  /** Function name used locally (template FunctionName if set, else derived from the logical id). */
  readonly functionName: string;
  /** A local ARN: `arn:aws:lambda:<region>:000000000000:function:<functionName>`. */
  readonly arn: string;
  /** Absolute path of the bundled asset folder in cdk.out. */
  readonly assetPath: string;
  /** `index.handler` style handler string from the template. */
  readonly handler: string;
  /** Environment after resolving intrinsics to local values (without the runtime's endpoint overrides). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Template `Runtime`, e.g. `nodejs20.x` (extension: optional). */
  readonly runtime?: string;
  /** `LoggingConfig.LogFormat` (extension: optional; default `Text`). */
  readonly logFormat?: 'Text' | 'JSON';
}

export interface LocalTable {
  readonly logicalId: string;
  readonly tableName: string;
  /** The template's `AWS::DynamoDB::Table` Properties, intrinsics resolved (KeySchema, AttributeDefinitions, GSIs). */
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface LocalTopic {
  readonly name: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface LocalEventSourceMapping {
  readonly logicalId: string;
  readonly functionArn: string;
  readonly topic: string;
  readonly consumerGroupId: string;
  readonly batchSize: number;
  /** Seconds; the local default is 0 whatever the template says, unless the runtime is told otherwise. */
  readonly maximumBatchingWindowInSeconds: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** -1 = retry until the record expires (AWS default). */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** e.g. `kafka://dead-letters`, or undefined. */
  readonly onFailureDestination?: string;
  /** Template `Enabled` (extension: optional; undefined = enabled). */
  readonly enabled?: boolean;
  /** `MaximumRecordAgeInSeconds`: older records go to the on-failure destination; -1 or undefined = no limit. */
  readonly maximumRecordAgeInSeconds?: number;
  /** `FunctionResponseTypes`, e.g. `['ReportBatchItemFailures']` (partial batch responses); default none. */
  readonly functionResponseTypes?: readonly string[];
  /** `FilterCriteria.Filters[].Pattern`: event patterns (JSON text); a record is delivered if any matches. */
  readonly filterPatterns?: readonly string[];
  /** `MetricsConfig.Metrics`, e.g. `['EventCount']`: which metric groups the mapping reports. */
  readonly metrics?: readonly string[];
}

export interface LocalRoute {
  /** `POST /orders`, `GET /orders/{id}` ... */
  readonly routeKey: string;
  readonly functionArn: string;
  readonly authorizationType: 'JWT' | 'NONE';
  /** The route's JWT authorizer from the template (extension: optional). */
  readonly jwtAuthorizer?: {
    readonly name: string;
    readonly issuer?: string;
    readonly audience: readonly string[];
    readonly identitySource: readonly string[];
  };
  /** Template `AuthorizationScopes` (extension: optional). */
  readonly authorizationScopes?: readonly string[];
  /** The integration's `PayloadFormatVersion` (extension: optional; default `2.0`). */
  readonly payloadFormatVersion?: string;
}

export interface LocalSubscriptionFilter {
  readonly logGroupName: string;
  readonly destinationArn: string;
  readonly filterPattern: string;
  readonly filterName: string;
}

export interface LocalAppModel {
  readonly region: string;
  readonly accountId: string;
  readonly functions: readonly LocalFunction[];
  readonly tables: readonly LocalTable[];
  readonly topics: readonly LocalTopic[];
  readonly eventSourceMappings: readonly LocalEventSourceMapping[];
  readonly routes: readonly LocalRoute[];
  readonly subscriptionFilters: readonly LocalSubscriptionFilter[];
  readonly scheduleGroups: readonly string[];
  /** Stack outputs with local values, keyed by output name. */
  readonly outputs: Readonly<Record<string, string>>;
}

export type InvokeResult =
  | { readonly ok: true; readonly payload: unknown; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly error: {
        readonly errorType: string;
        readonly errorMessage: string;
        readonly stackTrace?: string[];
      };
      readonly durationMs: number;
    };

/** Invokes a function by ARN, name or logical id with a JSON event, like Lambda's RequestResponse. */
export interface Invoker {
  invoke(functionRef: string, event: unknown): Promise<InvokeResult>;
}

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime?: number;
}

export interface FilteredLogEvent extends LogEvent {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly eventId: string;
}

export interface LogFilter {
  readonly logGroupName?: string;
  readonly logGroupNamePrefix?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  /** CloudWatch filter pattern; the local store supports plain terms and `{ $.key = value }` JSON equality. */
  readonly filterPattern?: string;
  readonly limit?: number;
  readonly nextToken?: string;
}

/** Per-log-group capture of function output, like CloudWatch Logs. */
export interface LogStore {
  append(logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void;
  filter(filter: LogFilter): { events: FilteredLogEvent[]; nextToken?: string };
  logGroups(): string[];
  /** Called for every appended batch (subscription filters and `--follow` use this). Returns an unsubscribe. */
  subscribe(
    listener: (logGroupName: string, logStreamName: string, events: readonly LogEvent[]) => void,
  ): () => void;
}

/** Counters an event-source mapping keeps while it runs (local/runtime/esm.ts), read by the console and tests. */
export interface EsmStats {
  invocations: number;
  failedInvocations: number;
  recordsDelivered: number;
  recordsSentToDestination: number;
  lastError?: string;
  /** Lambda's EventCount metrics for event-source mappings, counted the same way. */
  polledEventCount: number;
  filteredOutEventCount: number;
  invokedEventCount: number;
  failedInvokeEventCount: number;
  droppedEventCount: number;
  onFailureDestinationDeliveredEventCount: number;
  /** Invocations that repeat a failed one (after the backoff), and failed batches split in two (read by the console). */
  retries?: number;
  bisects?: number;
  /** The latest invocation's batch (read by the console). */
  lastBatch?: { at: number; partition: number; firstOffset: number; lastOffset: number; records: number };
}

/** What the console reads of a running event-source mapping; local/runtime/esm.ts implements it. */
export interface MappingView {
  readonly mapping: LocalEventSourceMapping;
  readonly stats: EsmStats;
  /** Batches fetched and waiting for an invocation. */
  queued(): number;
}
