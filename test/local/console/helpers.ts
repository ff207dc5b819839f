/**
 * Shared pieces of the console tests: one runtime from the real cloud assembly on free ports with the web
 * console on (port 0), and a small JSON client for the console's API.
 */
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { type Booted, boot, until } from '../../e2e/helpers';

export { until } from '../../e2e/helpers';

export interface ConsoleSystem extends Booted {
  readonly url: string;
  call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Produces raw bytes to a topic, bypassing every check (a poison record). */
  produceRaw(topic: string, key: string | null, value: string): Promise<void>;
  /** Produces many records at once, each to the partition it names (filler for long scans). */
  produceMany(
    topic: string,
    messages: readonly { partition: number; key: string; value: string }[],
  ): Promise<void>;
}

export async function bootWithConsole(): Promise<ConsoleSystem> {
  const sys = await boot({ consolePort: 0 });
  const url = sys.runtime.endpoints.console;
  if (!url) throw new Error('the runtime started without its console');
  return {
    ...sys,
    url,
    async call(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: any = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status: res.status, body: json };
    },
    async produceRaw(topic, key, value) {
      await withProducer(sys.runtime.endpoints.kafka, (producer) =>
        producer.send({ topic, messages: [{ key, value }] }),
      );
    },
    async produceMany(topic, messages) {
      await withProducer(sys.runtime.endpoints.kafka, async (producer) => {
        for (let i = 0; i < messages.length; i += 5000)
          await producer.send({ topic, messages: messages.slice(i, i + 5000) });
      });
    },
  };
}

async function withProducer(brokers: string, use: (producer: Producer) => Promise<unknown>): Promise<void> {
  const kafka = new Kafka({ clientId: 'console-test', brokers: [brokers], logLevel: logLevel.NOTHING });
  // the services' partitioner (murmur2, as Java clients and `campusg produce`): a key lands where theirs do
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await use(producer);
  } finally {
    await producer.disconnect();
  }
}

/** A valid order body for POST /api/orders. */
export function orderBody(customerId: string, unitPriceCents = 450) {
  return {
    customerId,
    items: [{ name: 'Iced latte', quantity: 2, unitPriceCents }],
    deliveryLocation: 'Library L2',
    paymentMethod: 'tok_visa',
  };
}

/**
 * Waits until the Order service itself holds the order in `status`. The topics show TIMER_STARTED before the
 * order consumer has applied it when the machine is busy, and until then the Order API answers an accept
 * with 409 (test/e2e/load.test.ts waits the same way).
 */
export async function orderServiceAt(
  sys: ConsoleSystem,
  orderId: string,
  customerId: string,
  status: string,
  timeoutMs = 60_000,
): Promise<void> {
  await until(
    async () => (await sys.api.getOrder(orderId, customerId)).body.status === status,
    timeoutMs,
    `the Order service to hold ${orderId} as ${status}`,
  );
}
