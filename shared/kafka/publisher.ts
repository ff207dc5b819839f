import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import {
  type AnyEvent,
  completeEvent,
  type EventDraft,
  type EventOf,
  type EventType,
} from '#shared/contracts';
import type { TopicName } from '#shared/topology';
import { createKafka, type KafkaConfig, kafkaConfigFromEnv } from './config';
import { KafkaClientError, PublishError } from './errors';

export interface PublishOptions {
  /** Message key; the order id (`correlationId`) by default, so one order's events stay in one partition. */
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What services publish through. Handlers receive one as a dependency; tests pass another implementation. */
export interface EventPublisher {
  publish<T extends EventType>(
    topic: TopicName,
    event: EventDraft<T> | EventOf<T>,
    opts?: PublishOptions,
  ): Promise<EventOf<T>>;
}

/**
 * How long a producer's connections may serve MSK IAM publishes before the publisher reconnects: 12 minutes.
 * An MSK IAM session ends when its token does; aws-msk-iam-sasl-signer-js signs tokens for 15 minutes at
 * most (less when the credentials expire sooner), and Kafka caps the session at the token's lifetime. kafkajs
 * re-authenticates in place just before a session ends (KIP-368), but MSK answers such a re-authentication
 * with "Cannot change principals" or "Session too short" in known cases, failing the publish; fresh
 * connections with a fresh token avoid both.
 */
export const MSK_IAM_RECONNECT_MS = 12 * 60 * 1000;

export interface KafkaPublisherOptions {
  /** Reconnect before a publish once the producer has been connected this long. @default MSK_IAM_RECONNECT_MS with IAM auth, never otherwise */
  readonly maxConnectionAgeMs?: number;
  /** Clock (tests). @default Date.now */
  readonly now?: () => number;
}

/**
 * Publishes events with kafkajs: one producer per process, created and connected on the first publish and
 * reused across Lambda invocations; `acks: -1` waits for every in-sync replica. With MSK IAM auth the
 * producer is replaced before its sessions can expire (MSK_IAM_RECONNECT_MS).
 */
export class KafkaPublisher implements EventPublisher {
  private kafka?: Kafka;
  private producer?: Producer;
  private connecting?: Promise<Producer>;
  private connectedAt = 0;
  private maxAgeMs?: number;
  private readonly now: () => number;

  constructor(
    private readonly source: string,
    private readonly config: () => KafkaConfig = () => kafkaConfigFromEnv(),
    private readonly options: KafkaPublisherOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  private async connected(): Promise<Producer> {
    if (this.producer && this.maxAgeMs !== undefined && this.now() - this.connectedAt >= this.maxAgeMs) {
      // Retire it before its sessions expire; a failed disconnect of an old producer loses nothing.
      const old = this.producer;
      this.producer = undefined;
      await old.disconnect().catch(() => undefined);
    }
    if (this.producer) return this.producer;
    if (!this.connecting) {
      if (!this.kafka) {
        const config = this.config();
        this.maxAgeMs =
          this.options.maxConnectionAgeMs ?? (config.auth === 'iam' ? MSK_IAM_RECONNECT_MS : undefined);
        this.kafka = createKafka(config);
      }
      const producer = this.kafka.producer({
        allowAutoTopicCreation: false,
        // murmur2 on the key, as the Java client does: one order's events always land in the same partition.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer.on(producer.events.DISCONNECT, () => {
        if (this.producer === producer) this.producer = undefined;
      });
      this.connecting = producer
        .connect()
        .then(() => {
          this.producer = producer;
          this.connectedAt = this.now();
          return producer;
        })
        .finally(() => {
          this.connecting = undefined;
        });
    }
    return this.connecting;
  }

  async publish<T extends EventType>(
    topic: TopicName,
    draft: EventDraft<T> | EventOf<T>,
    opts: PublishOptions = {},
  ): Promise<EventOf<T>> {
    const event = completeEvent(draft, this.source);
    await this.send(topic, [{ event, opts }]);
    return event;
  }

  /** Publishes several events to one topic in one request (one batch per partition). */
  async publishAll(topic: TopicName, items: { event: AnyEvent; opts?: PublishOptions }[]): Promise<void> {
    if (items.length)
      await this.send(
        topic,
        items.map((i) => ({ event: i.event, opts: i.opts ?? {} })),
      );
  }

  private async send(topic: TopicName, items: { event: AnyEvent; opts: PublishOptions }[]): Promise<void> {
    try {
      const producer = await this.connected();
      await producer.send({
        topic,
        acks: -1,
        messages: items.map(({ event, opts }) => ({
          key: opts.key ?? event.correlationId,
          value: JSON.stringify(event),
          headers: opts.headers ? { ...opts.headers } : undefined,
        })),
      });
    } catch (cause) {
      if (cause instanceof KafkaClientError && !cause.retriable) throw cause;
      const first = items[0]?.event;
      throw new PublishError(
        `could not publish ${items.length === 1 ? `${first?.type} ${first?.id}` : `${items.length} events`} to ${topic}: ${
          cause instanceof Error ? cause.message : String(cause)
        }`,
        { cause },
      );
    }
  }

  async disconnect(): Promise<void> {
    const producer =
      this.producer ?? (this.connecting ? await this.connecting.catch(() => undefined) : undefined);
    this.producer = undefined;
    await producer?.disconnect();
  }
}

let processPublisher: KafkaPublisher | undefined;

/** The per-process publisher of this function, configured from its environment on first use. */
export function defaultPublisher(): KafkaPublisher {
  processPublisher ??= new KafkaPublisher(
    process.env.CAMPUSG_SERVICE ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'campusg',
  );
  return processPublisher;
}
