import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { makeHandler as escrowConsumer } from '#functions/escrow/consumer';
import { makeHandler as notificationApi } from '#functions/notification/api';
import { makeHandler as notificationConsumer } from '#functions/notification/consumer';
import { makeHandler as orderApi } from '#functions/order/api';
import { makeHandler as orderConsumer } from '#functions/order/consumer';
import { makeHandler as paymentConsumer } from '#functions/payment/consumer';
import { makeHandler as timerConsumer } from '#functions/timer/consumer';
import { makeHandler as timerFire } from '#functions/timer/fire';
import type { AnyEvent } from '#shared/contracts';
import { EntityStore } from '#shared/db/entity-store';
import { DynamoIdempotencyKeys } from '#shared/db/idempotency-keys';
import { DynamoNotificationStore } from '#shared/db/notification-store';
import type { EscrowState } from '#shared/domain/escrow/escrow';
import type { OrderState } from '#shared/domain/order/order';
import type { PaymentState } from '#shared/domain/payment/payment';
import { SimulatedPaymentProvider } from '#shared/domain/payment/provider';
import type { TimerState } from '#shared/domain/timer/timer';
import type { MSKEvent } from '#shared/kafka';
import { consumersOf, type ServiceName, type TopicName } from '#shared/topology';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { type HttpSpec, httpEvent, mskEvent, type RecordSpec, silentLogger } from '#test/support/events';
import { InMemoryScheduler } from '#test/support/in-memory-scheduler';
import { MemoryPublisher, type PublishedMessage } from '#test/support/memory-publisher';

export interface DeliveryOptions {
  /** Deliver every batch twice (at-least-once delivery at every step). */
  readonly duplicate?: boolean;
  /** Extra raw records to slip into the next batch of a topic (poison records). */
  readonly poison?: { topic: TopicName; value: string }[];
}

/**
 * Runs the saga's real handlers in-process: each service publishes to its own MemoryPublisher, and the
 * harness routes what was published to the consuming handlers (from shared/topology.ts) as MSK events with
 * partitions by key and increasing offsets, until nothing is left to deliver.
 */
export class SagaHarness {
  readonly scheduler = new InMemoryScheduler();
  readonly provider = new SimulatedPaymentProvider(() => 50_000);
  readonly publishers = new Map<string, MemoryPublisher>();
  /** Every message published by any service, in publish order. */
  readonly published: PublishedMessage[] = [];
  /** Every handler invocation result for consumers (for transient-failure assertions). */
  readonly deliveries: { service: ServiceName; topic: string; records: number }[] = [];
  private readonly cursor = new Map<string, number>();
  private readonly offsets = new Map<string, number>();
  private consumers!: Partial<Record<ServiceName, (e: MSKEvent) => Promise<unknown>>>;
  private api!: ReturnType<typeof orderApi>;
  private notifications!: ReturnType<typeof notificationApi>;
  private fire!: ReturnType<typeof timerFire>;

  private constructor(readonly dynamo: Dynamo) {}

  static async start(): Promise<SagaHarness> {
    const h = new SagaHarness(await startDynamo());
    h.wire();
    return h;
  }

  private publisher(service: string): MemoryPublisher {
    let p = this.publishers.get(service);
    if (!p) {
      p = new MemoryPublisher(service);
      this.publishers.set(service, p);
    }
    return p;
  }

  private wire(): void {
    const client = this.dynamo.client;
    const logger = silentLogger();
    const table = (name: keyof typeof TABLES) => () => TABLES[name];
    const orders = new EntityStore<OrderState>(client, table('ORDERS_TABLE'), 'ORDER');
    const idempotencyKeys = new DynamoIdempotencyKeys(client, table('ORDERS_TABLE'));
    const orderDeps = { orders, idempotencyKeys, logger };
    const timerDeps = {
      timers: new EntityStore<TimerState>(client, table('TIMERS_TABLE'), 'TIMER'),
      scheduler: this.scheduler,
      acceptTimeoutSeconds: () => 300,
      logger,
    };
    this.api = orderApi({ ...orderDeps, publisher: this.publisher('order') });
    this.fire = timerFire({ ...timerDeps, publisher: this.publisher('timer') });
    const notifications = new DynamoNotificationStore(client, table('NOTIFICATIONS_TABLE'));
    this.notifications = notificationApi({ notifications, logger });
    this.consumers = {
      order: orderConsumer({ ...orderDeps, publisher: this.publisher('order') }),
      payment: paymentConsumer({
        payments: new EntityStore<PaymentState>(client, table('PAYMENTS_TABLE'), 'PAYMENT'),
        provider: this.provider,
        publisher: this.publisher('payment'),
        logger,
      }),
      escrow: escrowConsumer({
        holds: new EntityStore<EscrowState>(client, table('ESCROW_TABLE'), 'HOLD'),
        publisher: this.publisher('escrow'),
        logger,
      }),
      timer: timerConsumer({ ...timerDeps, publisher: this.publisher('timer') }),
      notification: notificationConsumer({
        notifications,
        publisher: this.publisher('notification'),
        logger,
      }),
    };
  }

  async close(): Promise<void> {
    await this.dynamo.close();
  }

  /** Calls the Order API; the answer's body parsed. */
  async call(
    spec: HttpSpec,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, string> }> {
    const res = await this.api(httpEvent(spec));
    return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
  }

  async notificationsOf(userId: string): Promise<{ title: string; sourceEventType: string; role: string }[]> {
    const res = await this.notifications(
      httpEvent({
        method: 'GET',
        path: `/users/${userId}/notifications`,
        claims: { sub: userId },
        query: { limit: '100' },
      }),
    );
    return JSON.parse(res.body).notifications;
  }

  /** Newly published messages of every service since the last call. */
  private takeNew(): PublishedMessage[] {
    const fresh: PublishedMessage[] = [];
    for (const [service, p] of this.publishers) {
      const from = this.cursor.get(service) ?? 0;
      fresh.push(...p.published.slice(from));
      this.cursor.set(service, p.published.length);
    }
    this.published.push(...fresh);
    return fresh;
  }

  private partitionOf(key: string): number {
    let h = 0;
    for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h % 3;
  }

  private recordOf(topic: string, key: string | null, value: AnyEvent | string): RecordSpec {
    const partition = key ? this.partitionOf(key) : 0;
    const tp = `${topic}-${partition}`;
    const offset = this.offsets.get(tp) ?? 0;
    this.offsets.set(tp, offset + 1);
    return { topic, partition, offset, key, value, headers: { traceparent: '00-abc-def-01' } };
  }

  /** Delivers everything published until the system is quiet. Returns the number of rounds. */
  async drain(options: DeliveryOptions = {}): Promise<number> {
    let rounds = 0;
    let poison = [...(options.poison ?? [])];
    for (;;) {
      const fresh = this.takeNew();
      if (!fresh.length) return rounds;
      if (++rounds > 50) throw new Error('saga does not settle');
      const byTopic = new Map<string, RecordSpec[]>();
      for (const m of fresh) {
        const list = byTopic.get(m.topic) ?? [];
        list.push(this.recordOf(m.topic, m.key, m.event));
        const mine = poison.filter((p) => p.topic === m.topic);
        poison = poison.filter((p) => p.topic !== m.topic);
        for (const p of mine) list.push(this.recordOf(p.topic, null, p.value));
        byTopic.set(m.topic, list);
      }
      for (const [topic, records] of byTopic) {
        for (const service of consumersOf(topic as TopicName)) {
          const handler = this.consumers[service];
          if (!handler) continue;
          const event = mskEvent(records);
          await handler(event);
          this.deliveries.push({ service, topic, records: records.length });
          if (options.duplicate) await handler(mskEvent(records));
        }
      }
    }
  }

  /** Fires every due schedule as EventBridge Scheduler would (then the schedule deletes itself). */
  async fireTimers(): Promise<number> {
    const due = [...this.scheduler.schedules.entries()];
    for (const [name, s] of due) {
      await this.fire(s.input);
      this.scheduler.schedules.delete(name);
    }
    return due.length;
  }

  /** Fires a given input (a late or repeated firing). */
  fireInput(input: unknown) {
    return this.fire(input);
  }

  events(type?: string): AnyEvent[] {
    return this.published.map((m) => m.event).filter((e) => !type || e.type === type);
  }

  topicEvents(topic: TopicName): PublishedMessage[] {
    return this.published.filter((m) => m.topic === topic);
  }

  /** Every id published more than once was published with identical content (same id, same timestamp, same payload). */
  assertDuplicatesIdentical(): number {
    const seen = new Map<string, string>();
    let duplicates = 0;
    for (const m of this.published) {
      const json = JSON.stringify(m.event);
      const prev = seen.get(m.event.id);
      if (prev !== undefined) {
        duplicates++;
        if (prev !== json)
          throw new Error(`event ${m.event.id} re-published with different content:\n${prev}\n${json}`);
      } else seen.set(m.event.id, json);
    }
    return duplicates;
  }

  private async scan<T>(table: string): Promise<T[]> {
    const out = await this.dynamo.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    return (out.Items ?? []) as T[];
  }

  async order(orderId: string): Promise<OrderState> {
    const items = await this.scan<{ pk: string; state: OrderState }>(TABLES.ORDERS_TABLE);
    const found = items.find((i) => i.pk === `ORDER#${orderId}`);
    if (!found) throw new Error(`no order ${orderId}`);
    return found.state;
  }

  async payments(): Promise<PaymentState[]> {
    return (await this.scan<{ state: PaymentState }>(TABLES.PAYMENTS_TABLE)).map((i) => i.state);
  }

  async holds(): Promise<EscrowState[]> {
    return (await this.scan<{ state: EscrowState }>(TABLES.ESCROW_TABLE)).map((i) => i.state);
  }

  async timers(): Promise<TimerState[]> {
    return (await this.scan<{ state: TimerState }>(TABLES.TIMERS_TABLE)).map((i) => i.state);
  }

  /** authorized = captured + voided (per payment) and held = released + refunded (per hold), once every saga has ended. */
  async moneyTotals() {
    const payments = await this.payments();
    const holds = await this.holds();
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    for (const p of payments) {
      if (p.status === 'AUTHORIZED')
        throw new Error(`payment of order ${p.orderId} still AUTHORIZED: saga not ended`);
      if (p.authorizedCents !== p.capturedCents + p.voidedCents)
        throw new Error(`payment of ${p.orderId} unbalanced`);
    }
    for (const h of holds) {
      if (h.status === 'HELD') throw new Error(`hold of order ${h.orderId} still HELD: saga not ended`);
      if (h.heldCents !== h.releasedCents + h.refundedCents)
        throw new Error(`hold of ${h.orderId} unbalanced`);
      if (h.releasedCents > h.heldCents) throw new Error(`hold of ${h.orderId} released more than held`);
    }
    return {
      authorized: sum(payments.map((p) => p.authorizedCents)),
      captured: sum(payments.map((p) => p.capturedCents)),
      voided: sum(payments.map((p) => p.voidedCents)),
      held: sum(holds.map((h) => h.heldCents)),
      released: sum(holds.map((h) => h.releasedCents)),
      refunded: sum(holds.map((h) => h.refundedCents)),
    };
  }
}

export const ORDER_BODY = {
  items: [{ name: 'Iced latte', quantity: 2, unitPriceCents: 450 }],
  deliveryLocation: 'Library L2',
  paymentMethod: 'tok_visa',
};
