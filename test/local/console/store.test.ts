/**
 * The console's index without a broker (records fed with `add`, as its reader does): which records count as
 * dead letters, and that a record breaking its schema, which every service dead-letters, moves nothing the
 * console derives until its fixed copy arrives.
 */
import type { ReadMessage } from '#local/inspect/kafka-read';
import { FIXTURES } from '#shared/contracts/fixtures';
import { orderDetail } from '../../../local/console/orders';
import { ConsoleStore } from '../../../local/console/store';

const ORDER = 'ord_fixture1';

function newStore(): ConsoleStore {
  return new ConsoleStore({
    brokers: ['127.0.0.1:1'],
    topics: ['order-events', 'timer-events', 'dead-letters'],
  });
}

let offset = 0;
function record(topic: string, value: unknown, headers: Record<string, string> = {}): ReadMessage {
  return {
    topic,
    partition: 0,
    offset: offset++,
    timestamp: Date.parse('2026-03-19T13:00:00.000Z') + offset,
    key: ORDER,
    value: typeof value === 'string' ? value : JSON.stringify(value),
    headers,
  };
}

/** An order at AWAITING_RUNNER, as its events tell it. */
function awaitingRunner(store: ConsoleStore): void {
  store.add(record('order-events', FIXTURES.ORDER_CREATED));
  store.add(record('payment-events', FIXTURES.PAYMENT_AUTHORIZED));
  store.add(record('escrow-events', FIXTURES.FUNDS_HELD));
  store.add(record('timer-events', FIXTURES.TIMER_STARTED));
}

const detailOf = (store: ConsoleStore) =>
  orderDetail(store.order(ORDER)!, store.orderEvents(ORDER), (r) =>
    store.invalidReason(r.topic, r.partition, r.offset),
  );

describe('ConsoleStore', () => {
  it('keeps an invalid event in the timeline, marked, and lets only its valid copy move the order', () => {
    const store = newStore();
    awaitingRunner(store);
    expect(store.order(ORDER)?.status).toBe('AWAITING_RUNNER');

    const timeout = FIXTURES.ORDER_TIMEOUT;
    store.add(
      record('timer-events', { ...timeout, payload: { ...timeout.payload, deadline: 1773925200000 } }),
    );
    expect(store.order(ORDER)?.status).toBe('AWAITING_RUNNER');
    let d = detailOf(store);
    const poison = d.timeline.find((r) => r.type === 'ORDER_TIMEOUT')!;
    expect(poison.invalid).toMatch(/payload\.deadline/);
    expect(d.schedule.state).toBe('pending');
    expect(d.path.at(-1)).toBe('AWAITING_RUNNER');

    // the fixed copy, same event id: the event itself, not a duplicate of the poison
    store.add(record('timer-events', timeout));
    expect(store.order(ORDER)?.status).toBe('CANCELLED');
    d = detailOf(store);
    const rows = d.timeline.filter((r) => r.type === 'ORDER_TIMEOUT');
    expect(rows.map((r) => [r.invalid === undefined, r.duplicate])).toEqual([
      [false, false],
      [true, false],
    ]);
    expect(d.schedule.state).toBe('fired');
    expect(d.path.at(-1)).toBe('CANCELLED');

    // a second copy is a duplicate
    store.add(record('timer-events', timeout));
    expect(
      detailOf(store)
        .timeline.filter((r) => r.duplicate)
        .map((r) => r.type),
    ).toEqual(['ORDER_TIMEOUT']);
  });

  it('does not let an invalid money event count', () => {
    const store = newStore();
    store.add(record('order-events', FIXTURES.ORDER_CREATED));
    const auth = FIXTURES.PAYMENT_AUTHORIZED;
    store.add(record('payment-events', { ...auth, payload: { ...auth.payload, paymentId: '' } }));
    expect(detailOf(store).money.authorized).toBe(0);
    expect(store.order(ORDER)?.status).toBe('CREATED');
  });

  it("reads a consumer's DEAD_LETTER event as a dead letter", () => {
    const store = newStore();
    store.add(record('dead-letters', FIXTURES.DEAD_LETTER));
    const [d] = store.allDeadLetters();
    expect(d).toMatchObject({
      reason: FIXTURES.DEAD_LETTER.payload.reason,
      consumer: FIXTURES.DEAD_LETTER.payload.consumer,
    });
    expect(store.orderCount()).toBe(0);
  });

  it("reads a record a mapping's on-failure destination received as a dead letter, not as a saga event", () => {
    const store = newStore();
    // the record as it was on order-events, with the headers local/runtime/esm.ts (like Lambda) adds
    const original = JSON.stringify(FIXTURES.ORDER_CREATED);
    store.add(
      record('dead-letters', original, {
        'lambda-esm-condition': 'RetryAttemptsExhausted',
        'lambda-esm-function-arn': 'arn:aws:lambda:eu-west-1:000000000000:function:PaymentConsumer',
        'lambda-esm-consumer-group': 'campusg-payment-order-events',
        'lambda-esm-source-topic': 'order-events',
        'lambda-esm-source-partition': '2',
        'lambda-esm-source-offset': '41',
        'lambda-esm-source-timestamp': '1773925200000',
        'lambda-esm-approximate-invoke-count': '4',
        'lambda-esm-error-type': 'Error',
        'lambda-esm-error-message': 'ProvisionedThroughputExceededException',
      }),
    );
    const [d] = store.allDeadLetters();
    expect(d).toMatchObject({
      reason: 'RetryAttemptsExhausted',
      error: 'Error: ProvisionedThroughputExceededException',
      consumer: 'campusg-payment-order-events',
      origin: { topic: 'order-events', partition: 2, offset: 41, timestamp: 1773925200000 },
      value: original,
      key: ORDER,
      correlationId: ORDER,
    });
    expect(Buffer.from(d!.valueBase64!, 'base64').toString('utf8')).toBe(original);
    // the copy on dead-letters is not an event of the order
    expect(store.orderCount()).toBe(0);
  });
});
