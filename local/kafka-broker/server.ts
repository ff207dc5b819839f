import { createServer, type Server, type Socket } from 'node:net';
import type { Authorizer } from './authorizer';
import { type BrokerLogger, Cluster, type NewTopic } from './cluster';
import { Connection } from './connection';
import { BrokerConfigError } from './errors';
import { FaultInjector } from './faults';
import type { RequestCounts } from './request-counts';
import { exchangeFactory, saslProblems } from './sasl';
import type { SaslOptions } from './sasl/types';
import type { Listener } from './session';
import { openFileStorage } from './storage/file';
import { MemoryStorage } from './storage/memory';
import type { BrokerStorage } from './storage/types';

export interface BrokerOptions {
  /** TCP port; 0 picks a free one (the advertised port is the bound one). Default 9092. */
  readonly port?: number;
  /** Address to bind and advertise. Default 127.0.0.1. */
  readonly host?: string;
  /** Keep topics, records and committed offsets in this directory. Default: in memory. */
  readonly dataDir?: string;
  /** Topics created at start when missing. */
  readonly topics?: readonly NewTopic[];
  /** Create unknown topics asked for in Metadata. Default true. */
  readonly autoCreateTopics?: boolean;
  /** Partitions of auto-created topics and of CreateTopics with -1. Default 1. */
  readonly defaultPartitions?: number;
  /** Largest request frame accepted; larger ones close the connection. Default 100 MiB. */
  readonly maxFrameBytes?: number;
  /** Where connection and group events go. Default: nowhere. */
  readonly logger?: BrokerLogger;
  /** Node id of this broker (also the controller id). Default 0. */
  readonly nodeId?: number;
  /** How often retention is enforced. Default 30 s. */
  readonly retentionCheckIntervalMs?: number;
  /**
   * SASL authentication (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER): on the main listener (default) or on a
   * second listener (`sasl.listener: { port }`). Default: none, every client is `ANONYMOUS`.
   */
  readonly sasl?: SaslOptions;
  /** Asked before every operation with the connection's principal. Default: everything allowed. */
  readonly authorizer?: Authorizer;
}

export interface Broker {
  readonly host: string;
  readonly port: number;
  /** `host:port`, ready for a client's bootstrap list. */
  readonly address: string;
  /** Port and `host:port` of the separate SASL listener, when `sasl.listener` asks for one. */
  readonly saslPort?: number;
  readonly saslAddress?: string;
  readonly faults: FaultInjector;
  readonly storage: BrokerStorage;
  /** Requests served per API key and version since the start (which versions clients negotiate). */
  readonly requests: RequestCounts;
  /** Closes every connection, stops timers and closes storage. */
  stop(): Promise<void>;
}

const silentLogger: BrokerLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Starts a single-node Kafka-protocol broker; resolves once it accepts connections. */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  const defaultPartitions = options.defaultPartitions ?? 1;
  const maxFrameBytes = options.maxFrameBytes ?? 100 * 1024 * 1024;
  validate(options, defaultPartitions, maxFrameBytes);

  const storage = options.dataDir ? await openFileStorage(options.dataDir) : new MemoryStorage();
  const cluster = new Cluster(storage, {
    nodeId: options.nodeId ?? 0,
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions,
    logger,
    authorizer: options.authorizer,
  });
  for (const topic of options.topics ?? []) {
    if (cluster.topic(topic.name)) continue;
    const { errorCode, message } = cluster.createTopic(topic);
    if (errorCode !== 0) {
      await storage.close();
      throw new BrokerConfigError(`cannot create topic ${topic.name}: ${message ?? `error ${errorCode}`}`);
    }
  }

  const faults = new FaultInjector();
  const connections = new Set<Connection>();
  const sasl = options.sasl
    ? { mechanisms: options.sasl.mechanisms, exchange: exchangeFactory(options.sasl) }
    : undefined;
  const separateSasl = options.sasl?.listener !== undefined && options.sasl.listener !== 'main';
  const mainListener: Listener =
    sasl && !separateSasl
      ? { securityProtocol: 'SASL_PLAINTEXT', port: options.port ?? 9092, sasl }
      : { securityProtocol: 'PLAINTEXT', port: options.port ?? 9092 };
  const listeners: { listener: Listener; server: Server }[] = [
    { listener: mainListener, server: serve(mainListener) },
  ];
  if (sasl && separateSasl) {
    const port = (options.sasl!.listener as { port: number }).port;
    const listener: Listener = { securityProtocol: 'SASL_PLAINTEXT', port, sasl };
    listeners.push({ listener, server: serve(listener) });
  }

  function serve(listener: Listener): Server {
    const server = createServer((socket: Socket) => {
      const connection = new Connection(socket, cluster, faults, logger, maxFrameBytes, listener, (c) =>
        connections.delete(c),
      );
      connections.add(connection);
    });
    server.on('error', (err) => logger.error(`broker server error: ${err.message}`));
    return server;
  }

  try {
    for (const { listener, server } of listeners) {
      await listen(server, listener.port, host);
      const address = server.address();
      if (typeof address === 'object' && address) listener.port = address.port;
    }
  } catch (err) {
    for (const { server } of listeners) server.close();
    cluster.close();
    await storage.close();
    throw err;
  }
  const port = mainListener.port;
  cluster.advertisedHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  cluster.advertisedPort = port;
  const saslListener = separateSasl ? listeners[1]!.listener : undefined;

  const retention = setInterval(() => {
    try {
      cluster.enforceRetention(Date.now());
    } catch (err) {
      logger.error(`retention sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }, options.retentionCheckIntervalMs ?? 30_000);
  retention.unref();

  let stopping: Promise<void> | undefined;
  return {
    host: cluster.advertisedHost,
    port,
    address: `${cluster.advertisedHost}:${port}`,
    ...(saslListener
      ? { saslPort: saslListener.port, saslAddress: `${cluster.advertisedHost}:${saslListener.port}` }
      : {}),
    faults,
    storage,
    requests: cluster.requests,
    stop() {
      stopping ??= (async () => {
        clearInterval(retention);
        const closed = Promise.all(
          listeners.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
        );
        for (const connection of [...connections]) connection.close();
        cluster.close();
        await closed;
        await storage.close();
      })();
      return stopping;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function validate(options: BrokerOptions, defaultPartitions: number, maxFrameBytes: number): void {
  const problems: string[] = [];
  const port = options.port ?? 9092;
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`port ${port} is not 0..65535`);
  if (!Number.isInteger(defaultPartitions) || defaultPartitions < 1) {
    problems.push(`defaultPartitions ${defaultPartitions} must be a positive integer`);
  }
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1024) {
    problems.push(`maxFrameBytes ${maxFrameBytes} must be an integer >= 1024`);
  }
  if (options.sasl) problems.push(...saslProblems(options.sasl));
  if (problems.length > 0) throw new BrokerConfigError(`invalid broker options: ${problems.join('; ')}`);
}
