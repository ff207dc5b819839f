import { realWaitMs } from '#local/cli/commands/demo';
import { lagOf } from '#local/cli/commands/doctor';
import { logGroupsFor } from '#local/cli/commands/logs';
import { formatOrder, parseItem } from '#local/cli/commands/orders';
import { lineToMessage } from '#local/cli/commands/produce';
import { formatCents, parseSince, UsageError } from '#local/cli/output';
import type { ReadMessage } from '#local/inspect/kafka-read';
import {
  formatDelta,
  formatTimeline,
  orderIdOf,
  type SagaEvent,
  timelineRows,
  toSagaEvent,
} from '#local/inspect/saga';

const ORDER = 'ord-7';
const T0 = Date.parse('2025-03-19T13:00:00.000Z');

function record(topic: string, offset: number, value: unknown, key: string | null = ORDER): ReadMessage {
  return {
    topic,
    partition: 1,
    offset,
    timestamp: T0,
    key,
    value: typeof value === 'string' ? value : JSON.stringify(value),
    headers: {},
  };
}

function envelope(
  type: string,
  atMs: number,
  source: string,
  payload: Record<string, unknown>,
  id = `${type}-1`,
) {
  return {
    id,
    type,
    timestamp: new Date(T0 + atMs).toISOString(),
    source,
    correlationId: ORDER,
    payload: { orderId: ORDER, ...payload },
  };
}

/** A happy-path saga, deliberately out of order (as it comes off several topics). */
function happySaga(): SagaEvent[] {
  const records = [
    record(
      'payment-events',
      0,
      envelope('PAYMENT_AUTHORIZED', 12, 'payment', { paymentId: 'pay-1', amountCents: 975 }),
    ),
    record(
      'order-events',
      0,
      envelope('ORDER_CREATED', 0, 'order', {
        customerId: 'c-1',
        items: [{ name: 'tea', quantity: 1, unitPriceCents: 975 }],
        totalCents: 975,
        deliveryLocation: 'Library',
        paymentMethod: 'tok_visa',
      }),
    ),
    record(
      'timer-events',
      0,
      envelope('TIMER_STARTED', 31, 'timer', { scheduleName: 's-1', deadline: '2025-03-19T13:15:00.000Z' }),
    ),
    record(
      'escrow-events',
      0,
      envelope('FUNDS_HELD', 20, 'escrow', { holdId: 'h-1', paymentId: 'pay-1', amountCents: 975 }),
    ),
    record(
      'order-events',
      1,
      envelope('ORDER_ACCEPTED', 2500, 'order', { runnerId: 'r-1', totalCents: 975 }),
    ),
    record(
      'order-events',
      2,
      envelope('ORDER_COMPLETED', 64_250, 'order', { runnerId: 'r-1', totalCents: 975 }),
    ),
    record(
      'escrow-events',
      1,
      envelope('FUNDS_RELEASED', 64_270, 'escrow', { runnerId: 'r-1', amountCents: 975 }),
    ),
    record(
      'payment-events',
      1,
      envelope('PAYMENT_CAPTURED', 64_290, 'payment', { paymentId: 'pay-1', amountCents: 975 }),
    ),
  ];
  return records.map((r) => toSagaEvent(r)!);
}

describe('saga timeline', () => {
  it('prints events in time order with time, delta, topic, type, source and summary', () => {
    expect(formatTimeline(ORDER, happySaga())).toEqual([
      'order ord-7: 8 events over 1m04.3s (times UTC)',
      '  13:00:00.000      +0ms  order-events    ORDER_CREATED       order    customer c-1, 1 item, total 9.75, to Library',
      '  13:00:00.012     +12ms  payment-events  PAYMENT_AUTHORIZED  payment  payment pay-1 authorized 9.75',
      '  13:00:00.020     +20ms  escrow-events   FUNDS_HELD          escrow   hold h-1 of 9.75',
      '  13:00:00.031     +31ms  timer-events    TIMER_STARTED       timer    acceptance deadline 2025-03-19T13:15:00.000Z',
      '  13:00:02.500   +2.500s  order-events    ORDER_ACCEPTED      order    runner r-1 accepted',
      '  13:01:04.250  +1m04.3s  order-events    ORDER_COMPLETED     order    runner r-1 completed, total 9.75',
      '  13:01:04.270  +1m04.3s  escrow-events   FUNDS_RELEASED      escrow   9.75 released to runner r-1',
      '  13:01:04.290  +1m04.3s  payment-events  PAYMENT_CAPTURED    payment  payment pay-1 captured 9.75',
    ]);
  });

  it('marks a redelivered event with the same id as a duplicate', () => {
    const events = happySaga();
    const again = toSagaEvent(
      record(
        'order-events',
        9,
        envelope('ORDER_ACCEPTED', 2600, 'order', { runnerId: 'r-1', totalCents: 975 }),
      ),
    )!;
    const rows = timelineRows([...events, again]);
    expect(rows.filter((r) => r.type === 'ORDER_ACCEPTED').map((r) => r.duplicate)).toEqual([false, true]);
    expect(
      formatTimeline(ORDER, [...events, again]).some((l) => l.includes('(duplicate) runner r-1 accepted')),
    ).toBe(true);
  });

  it('says so when an order has no events', () => {
    expect(formatTimeline('ord-none', [])).toEqual(['order ord-none: no events']);
  });

  it('summarizes the timeout branch and dead letters', () => {
    const events = [
      envelope('ORDER_TIMEOUT', 0, 'timer', { scheduleName: 's', deadline: '2025-03-19T13:15:00.000Z' }),
      envelope('ORDER_CANCELLED', 5, 'order', { reason: 'TIMEOUT' }),
      envelope('FUNDS_REFUNDED', 9, 'escrow', { amountCents: 100, customerId: 'c-1', reason: 'TIMEOUT' }),
      envelope('PAYMENT_VOIDED', 12, 'payment', { paymentId: 'p', amountCents: 100, reason: 'refunded' }),
      envelope('DEAD_LETTER', 20, 'payment', {
        reason: 'NOT_JSON',
        error: 'value is not JSON',
        consumer: 'payment',
        origin: { topic: 'order-events', partition: 2, offset: 41 },
      }),
    ].map((e, i) => toSagaEvent(record('x', i, e))!);
    expect(timelineRows(events).map((r) => r.summary)).toEqual([
      'deadline 2025-03-19T13:15:00.000Z passed',
      'cancelled: TIMEOUT',
      '1.00 refunded to customer c-1: TIMEOUT',
      'payment p voided 1.00: refunded',
      'NOT_JSON from order-events/2@41 by payment: value is not JSON',
    ]);
  });

  it('ignores records that are not event envelopes', () => {
    expect(toSagaEvent(record('order-events', 0, 'not json'))).toBeUndefined();
    expect(toSagaEvent(record('order-events', 0, { hello: 'world' }))).toBeUndefined();
    expect(toSagaEvent({ ...record('order-events', 0, {}), value: null })).toBeUndefined();
  });

  it('takes the order id from the correlation id, then the payload, then the key', () => {
    const base = { type: 'X', timestamp: new Date(T0).toISOString() };
    expect(
      orderIdOf(
        toSagaEvent(record('t', 0, { ...base, correlationId: 'a', payload: { orderId: 'b' } }, 'c'))!,
      ),
    ).toBe('a');
    expect(orderIdOf(toSagaEvent(record('t', 0, { ...base, payload: { orderId: 'b' } }, 'c'))!)).toBe('b');
    expect(orderIdOf(toSagaEvent(record('t', 0, base, 'c'))!)).toBe('c');
  });

  it('formats deltas from milliseconds to minutes', () => {
    expect([0, 999, 1000, 59_999, 60_000, 125_500].map(formatDelta)).toEqual([
      '+0ms',
      '+999ms',
      '+1.000s',
      '+59.999s',
      '+1m00.0s',
      '+2m05.5s',
    ]);
  });
});

describe('command input parsing', () => {
  it('parses items as name:quantity:unitPriceCents, keeping colons in the name', () => {
    expect(parseItem('coffee:2:350')).toEqual({ name: 'coffee', quantity: 2, unitPriceCents: 350 });
    expect(parseItem('menu: lunch:1:990')).toEqual({ name: 'menu: lunch', quantity: 1, unitPriceCents: 990 });
  });

  it.each([
    ['coffee', /expected name:quantity:unitPriceCents/],
    [':1:100', /empty name/],
    ['tea:0:100', /quantity must be a whole number >= 1/],
    ['tea:1:3.50', /whole number of cents/],
  ])('rejects the item %j with a message naming the problem', (spec, message) => {
    expect(() => parseItem(spec)).toThrow(message);
  });

  it('splits produce lines at the first key separator only with --parse-key', () => {
    expect(lineToMessage('a=b=c', 1, { parseKey: true })).toEqual({ key: 'a', value: 'b=c' });
    expect(lineToMessage('k::v', 1, { parseKey: true, keySeparator: '::' })).toEqual({
      key: 'k',
      value: 'v',
    });
    expect(lineToMessage('a=b', 1, { key: 'k' })).toEqual({ key: 'k', value: 'a=b' });
    expect(lineToMessage('a=b', 1, {})).toEqual({ key: null, value: 'a=b' });
    expect(() => lineToMessage('no separator', 7, { parseKey: true })).toThrow(UsageError);
    expect(() => lineToMessage('no separator', 7, { parseKey: true })).toThrow(
      /line 7 has no key separator "="/,
    );
  });

  it('parses --since as a duration before now or an ISO date-time', () => {
    const now = T0;
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('30s', now)).toBe(now - 30_000);
    expect(parseSince('2025-03-19T12:00:00Z', now)).toBe(Date.parse('2025-03-19T12:00:00Z'));
    expect(() => parseSince('yesterday', now)).toThrow(/expected a duration like 30s/);
  });

  it('formats cents as a decimal amount', () => {
    expect([0, 5, 975, 100000].map(formatCents)).toEqual(['0.00', '0.05', '9.75', '1000.00']);
    expect(formatCents(undefined)).toBe('?');
  });

  it('prints an order with status, total, people and history', () => {
    expect(
      formatOrder({
        orderId: 'o-1',
        status: 'CANCELLED',
        totalCents: 975,
        customerId: 'c-1',
        cancelReason: 'TIMEOUT',
        history: [{ type: 'ORDER_CREATED', at: '2025-03-19T13:00:00.000Z' }],
      }),
    ).toEqual([
      'order o-1  CANCELLED  total 9.75  customer c-1  reason TIMEOUT',
      '  2025-03-19T13:00:00.000Z  ORDER_CREATED',
    ]);
  });
});

describe('logs service mapping', () => {
  const groups = [
    '/aws/lambda/CampusG-OrderApiFunction1A2B3C-xyz',
    '/aws/lambda/CampusG-OrderConsumerF00D-abc',
    '/aws/lambda/CampusG-PaymentConsumer99-def',
    '/aws/lambda/CampusG-TimerFireFunctionAB-ghi',
    '/aws/lambda/campusg-escrow-consumer',
  ];

  it('maps a service to the log groups of its functions by construct id', () => {
    expect(logGroupsFor('order', groups)).toEqual(groups.slice(0, 2));
    expect(logGroupsFor('timer', groups)).toEqual([groups[3]]);
    expect(logGroupsFor('OrderConsumer', groups)).toEqual([groups[1]]);
  });

  it('falls back to the service name as a word of explicitly named groups', () => {
    expect(logGroupsFor('escrow', groups)).toEqual([groups[4]]);
  });

  it('accepts a log group name as is and finds nothing for unknown services', () => {
    expect(logGroupsFor(groups[2]!, groups)).toEqual([groups[2]]);
    expect(logGroupsFor('billing', groups)).toEqual([]);
  });
});

describe('doctor lag', () => {
  it('computes lag per partition from committed offsets and high watermarks', () => {
    const lag = lagOf(
      [
        { partition: 0, offset: '10' },
        { partition: 1, offset: '-1' },
      ],
      [
        { partition: 1, low: '2', high: '7' },
        { partition: 0, low: '0', high: '12' },
        { partition: 2, low: '0', high: '0' },
      ],
    );
    expect(lag).toEqual([
      { partition: 0, committed: 10, high: 12, lag: 2 },
      { partition: 1, committed: -1, high: 7, lag: 5 },
      { partition: 2, committed: -1, high: 0, lag: 0 },
    ]);
  });
});

describe('demo deadline', () => {
  it('turns the TIMER_STARTED deadline into real time with the runtime time scale', () => {
    const started = toSagaEvent(
      record(
        'timer-events',
        0,
        envelope('TIMER_STARTED', 0, 'timer', { deadline: new Date(T0 + 900_000).toISOString() }),
      ),
    )!;
    expect(realWaitMs([started], 60, T0)).toBe(15_000);
    expect(realWaitMs([started], 1, T0)).toBe(900_000);
    expect(realWaitMs([started], undefined, T0)).toBeUndefined();
    expect(realWaitMs([], 60, T0)).toBeUndefined();
  });
});
