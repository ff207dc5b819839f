/**
 * Kafka's IncrementalAlterConfigs (API key 44, version 0) over a kafkajs connection.
 *
 * kafkajs 2.2 (no longer developed) implements only the non-incremental AlterConfigs, which replaces every
 * dynamic override of a resource with the entries given: setting `retention.ms` that way also resets any
 * other override, and on MSK Serverless touches `cleanup.policy`, which may only be set at topic creation.
 * IncrementalAlterConfigs changes exactly the entries named. The request goes to the controller through
 * kafkajs's own cluster and connection pool, so TLS, SASL (MSK IAM) and re-authentication stay kafkajs's.
 *
 * Wire format (v0, not flexible; the v0 response has AlterConfigs v0's layout):
 *   request  => [resource_type:int8 resource_name:string [name:string op:int8 value:nullable_string]] validate_only:bool
 *   response => throttle_time_ms:int32 [error_code:int16 error_message:nullable_string resource_type:int8 resource_name:string]
 */
import type { Kafka } from 'kafkajs';

// kafkajs's codec and error table (CommonJS modules of the installed kafkajs, bundled with this handler).
const Encoder = require('kafkajs/src/protocol/encoder');
const Decoder = require('kafkajs/src/protocol/decoder');
const { failure, createErrorFromCode } = require('kafkajs/src/protocol/error');

export const INCREMENTAL_ALTER_CONFIGS_KEY = 44;
/** Config resource type of a topic. */
export const TOPIC_RESOURCE = 2;

export type ConfigOperation = 'SET' | 'DELETE';
const OPERATION_CODE: Record<ConfigOperation, number> = { SET: 0, DELETE: 1 };

export interface ConfigChange {
  readonly name: string;
  readonly operation: ConfigOperation;
  /** For SET. */
  readonly value?: string;
}

export interface ConfigResourceChange {
  readonly type: number;
  readonly name: string;
  readonly changes: readonly ConfigChange[];
}

export class IncrementalAlterConfigsError extends Error {
  override readonly name = 'IncrementalAlterConfigsError';
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface KafkaJsBroker {
  versions?: Record<number, { minVersion: number; maxVersion: number }>;
  connectionPool: { send(request: unknown): Promise<unknown> };
}
interface KafkaJsCluster {
  connect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  disconnect(): Promise<void>;
  findControllerBroker(): Promise<KafkaJsBroker>;
}

/** kafkajs's cluster factory of a `Kafka` instance (a symbol-keyed member). */
function clusterOf(kafka: Kafka): KafkaJsCluster {
  const key = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const create = key ? (kafka as unknown as Record<symbol, unknown>)[key] : undefined;
  if (typeof create !== 'function') {
    throw new IncrementalAlterConfigsError(
      'this kafkajs version has no cluster factory; IncrementalAlterConfigs needs kafkajs 2.2',
      false,
    );
  }
  return create({ allowAutoTopicCreation: false }) as KafkaJsCluster;
}

export function encodeRequest(resources: readonly ConfigResourceChange[], validateOnly = false) {
  return {
    apiKey: INCREMENTAL_ALTER_CONFIGS_KEY,
    apiVersion: 0,
    apiName: 'IncrementalAlterConfigs',
    encode: async () =>
      new Encoder()
        .writeArray(
          resources.map((r) =>
            new Encoder()
              .writeInt8(r.type)
              .writeString(r.name)
              .writeArray(
                r.changes.map((c) =>
                  new Encoder()
                    .writeString(c.name)
                    .writeInt8(OPERATION_CODE[c.operation])
                    .writeString(c.operation === 'SET' ? (c.value ?? '') : null),
                ),
              ),
          ),
        )
        .writeBoolean(validateOnly),
  };
}

interface KafkaJsDecoder {
  readInt8(): number;
  readInt16(): number;
  readString(): string | null;
}

interface ResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export const response = {
  decode: async (raw: Buffer) => {
    const decoder = new Decoder(raw);
    const throttleTime = decoder.readInt32();
    const resources: ResourceResult[] = decoder.readArray((d: KafkaJsDecoder) => ({
      errorCode: d.readInt16(),
      errorMessage: d.readString(),
      resourceType: d.readInt8(),
      resourceName: d.readString(),
    }));
    return { throttleTime, resources };
  },
  parse: async (data: { resources: ResourceResult[] }) => {
    const failed = data.resources.filter((r) => failure(r.errorCode));
    if (failed.length > 0) {
      const first = failed[0]!;
      const kafkaError = createErrorFromCode(first.errorCode);
      throw new IncrementalAlterConfigsError(
        `IncrementalAlterConfigs refused ${failed.map((r) => r.resourceName).join(', ')}: ${first.errorMessage ?? kafkaError.message}`,
        Boolean(kafkaError.retriable),
        { cause: kafkaError },
      );
    }
    return data;
  },
};

/** Applies the changes on the controller; throws naming the resource and the broker's reason on refusal. */
export async function incrementalAlterConfigs(
  kafka: Kafka,
  resources: readonly ConfigResourceChange[],
): Promise<void> {
  if (resources.length === 0) return;
  const cluster = clusterOf(kafka);
  await cluster.connect();
  try {
    await cluster.refreshMetadata();
    const broker = await cluster.findControllerBroker();
    if (!broker.versions?.[INCREMENTAL_ALTER_CONFIGS_KEY]) {
      throw new IncrementalAlterConfigsError(
        'the Kafka controller does not offer IncrementalAlterConfigs (Kafka 2.3 or newer has it); topic configurations were not changed',
        false,
      );
    }
    await broker.connectionPool.send({ request: encodeRequest(resources), response });
  } finally {
    await cluster.disconnect();
  }
}
