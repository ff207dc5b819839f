/**
 * Issue 18, item 5: a service that moves money logs each decision at INFO with the order id, so
 * `campusg logs payment` shows what happened to an order's money (authorized, declined with its code,
 * captured, voided), and a duplicate delivery logs no second decision.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { makeHandler } from '#functions/payment/consumer';
import type { AnyEvent, EventType } from '#shared/contracts';
import { EntityStore } from '#shared/db/entity-store';
import type { PaymentState } from '#shared/domain/payment/payment';
import { SimulatedPaymentProvider } from '#shared/domain/payment/provider';
import { fixtureEvent } from '#test/support/contract-events';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';
import { mskEvent } from '#test/support/events';
import { MemoryPublisher } from '#test/support/memory-publisher';

/** The contract fixture of `type`, re-addressed to `orderId` (and, for ORDER_CREATED, a payment method). */
const eventFor = (type: EventType, orderId: string, paymentMethod?: string): AnyEvent =>
  fixtureEvent(type, orderId, (paymentMethod ? { paymentMethod } : {}) as never) as AnyEvent;

const TOPIC: Partial<Record<EventType, string>> = {
  ORDER_CREATED: 'order-events',
  FUNDS_RELEASED: 'escrow-events',
  FUNDS_REFUNDED: 'escrow-events',
};

describe('payment decisions in the log', () => {
  let dynamo: Dynamo;
  let info: string[];
  let handler: ReturnType<typeof makeHandler>;
  let offset = 0;
  const deliver = (...events: AnyEvent[]) =>
    handler(mskEvent(events.map((e) => ({ topic: TOPIC[e.type]!, offset: offset++, value: e }))));

  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo.close());
  beforeEach(() => {
    // a real Powertools logger at INFO whose output is kept instead of printed
    const logger = new Logger({ serviceName: 'payment', logLevel: 'INFO' });
    info = [];
    jest.spyOn(logger, 'info').mockImplementation((...args: unknown[]) => {
      info.push(String(args[0]));
    });
    handler = makeHandler({
      payments: new EntityStore<PaymentState>(dynamo.client, () => TABLES.PAYMENTS_TABLE, 'PAYMENT'),
      provider: new SimulatedPaymentProvider(),
      publisher: new MemoryPublisher('payment'),
      logger,
      metrics: { deadLettered: () => undefined },
    });
  });

  it('logs the authorization and the capture of an order, each once', async () => {
    const created = eventFor('ORDER_CREATED', 'ord_logs_capture');
    await deliver(created);
    await deliver(created); // a duplicate delivery
    await deliver(eventFor('FUNDS_RELEASED', 'ord_logs_capture'));
    expect(info).toEqual([
      'payment authorized for order ord_logs_capture',
      'payment captured for order ord_logs_capture',
    ]);
  });

  it('logs a decline with its code', async () => {
    await deliver(eventFor('ORDER_CREATED', 'ord_logs_decline', 'tok_decline'));
    expect(info).toEqual(['payment declined for order ord_logs_decline: CARD_DECLINED']);
  });

  it('logs a void after a refund', async () => {
    await deliver(eventFor('ORDER_CREATED', 'ord_logs_void'), eventFor('FUNDS_REFUNDED', 'ord_logs_void'));
    expect(info).toEqual([
      'payment authorized for order ord_logs_void',
      'payment voided for order ord_logs_void',
    ]);
  });
});
