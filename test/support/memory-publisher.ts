/**
 * A test double of the EventPublisher: records what was published, in order, and can simulate a broker
 * outage. Production code publishes through shared/kafka/publisher.ts.
 */
import {
  type AnyEvent,
  completeEvent,
  type EventDraft,
  type EventOf,
  type EventType,
} from '#shared/contracts';
import { PublishError } from '#shared/kafka/errors';
import type { EventPublisher, PublishOptions } from '#shared/kafka/publisher';
import type { TopicName } from '#shared/topology';

export interface PublishedMessage {
  readonly topic: TopicName;
  readonly key: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly event: AnyEvent;
}

/**
 * An in-process publisher that records what was published, in order. For unit and scenario tests of
 * services; end-to-end tests publish to the embedded broker instead. `failNext(n)` makes the next n
 * publishes fail the way a broker outage does (a retriable PublishError).
 */
export class MemoryPublisher implements EventPublisher {
  readonly published: PublishedMessage[] = [];
  private failures = 0;

  constructor(
    private readonly source = 'test',
    private readonly now: () => Date = () => new Date(),
  ) {}

  failNext(n = 1): void {
    this.failures += n;
  }

  async publish<T extends EventType>(
    topic: TopicName,
    draft: EventDraft<T> | EventOf<T>,
    opts: PublishOptions = {},
  ): Promise<EventOf<T>> {
    const event = completeEvent(draft, this.source, this.now);
    if (this.failures > 0) {
      this.failures--;
      throw new PublishError(`simulated broker outage publishing ${event.type} to ${topic}`);
    }
    this.published.push({ topic, key: opts.key ?? event.correlationId, headers: opts.headers, event });
    return event;
  }

  /** Events published to a topic (all topics when omitted). */
  events(topic?: TopicName): AnyEvent[] {
    return this.published.filter((m) => !topic || m.topic === topic).map((m) => m.event);
  }

  clear(): void {
    this.published.length = 0;
  }
}
