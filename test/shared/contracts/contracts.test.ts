import { addCents, EVENT_TYPES, eventId, parseEvent } from '#shared/contracts';
import { ALL_FIXTURES, FIXTURES } from '#shared/contracts/fixtures';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function problemsFor(value: unknown) {
  const result = parseEvent(JSON.stringify(value));
  if (result.ok) throw new Error('expected a parse failure');
  return result.error;
}

describe('event contracts', () => {
  it('has one fixture per event type', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(ALL_FIXTURES.map((e) => [e.type, e] as const))(
    'accepts the %s fixture from bytes and text',
    (_type, event) => {
      const fromText = parseEvent(JSON.stringify(event));
      const fromBytes = parseEvent(Buffer.from(JSON.stringify(event)));
      expect(fromText).toEqual({ ok: true, event });
      expect(fromBytes).toEqual({ ok: true, event });
    },
  );

  it('reports a value that is not JSON as NOT_JSON with a preview', () => {
    const result = parseEvent('{not json');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.reason).toBe('NOT_JSON');
      expect(result.error.message).toContain('{not json');
      expect(result.error.retriable).toBe(false);
    }
  });

  it('reports an unknown type naming it', () => {
    const error = problemsFor({ ...FIXTURES.ORDER_CREATED, type: 'ORDER_TELEPORTED' });
    expect(error.reason).toBe('UNKNOWN_TYPE');
    expect(error.message).toContain('ORDER_TELEPORTED');
    expect(error.problems).toEqual([{ path: 'type', message: 'unknown event type "ORDER_TELEPORTED"' }]);
  });

  it('rejects a JSON value that is not an object', () => {
    expect(problemsFor([1, 2]).reason).toBe('SCHEMA_VIOLATION');
    expect(problemsFor('text').reason).toBe('SCHEMA_VIOLATION');
  });

  it('names the field path of a float amount', () => {
    const broken = clone(FIXTURES.ORDER_CREATED);
    broken.payload.items[0]!.unitPriceCents = 4.5;
    const error = problemsFor(broken);
    expect(error.reason).toBe('SCHEMA_VIOLATION');
    expect(error.problems.map((p) => p.path)).toEqual(['payload.items.0.unitPriceCents']);
    expect(error.message).toMatch(/payload\.items\.0\.unitPriceCents: must be a whole number of cents/);
  });

  it('names every missing envelope and payload field', () => {
    const broken = clone(FIXTURES.FUNDS_HELD) as Record<string, unknown> & {
      payload: Record<string, unknown>;
    };
    delete broken.id;
    delete broken.payload.amountCents;
    const paths = problemsFor(broken).problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'payload.amountCents']));
  });

  it('rejects negative money and a bad timestamp', () => {
    const negative = clone(FIXTURES.PAYMENT_AUTHORIZED);
    negative.payload.amountCents = -1;
    expect(problemsFor(negative).problems[0]).toEqual({
      path: 'payload.amountCents',
      message: 'must not be negative',
    });
    const badTime = { ...clone(FIXTURES.TIMER_STARTED), timestamp: 'yesterday' };
    expect(problemsFor(badTime).problems[0]?.path).toBe('timestamp');
  });

  it.each([
    [
      'ORDER_CANCELLED',
      'payload.reason',
      (e: any): void => {
        e.payload.reason = 'BORED';
      },
    ],
    [
      'TIMER_STARTED',
      'payload.deadline',
      (e: any): void => {
        e.payload.deadline = 'soon';
      },
    ],
    [
      'NOTIFICATION_SENT',
      'payload.role',
      (e: any): void => {
        e.payload.role = 'admin';
      },
    ],
    [
      'ORDER_CREATED',
      'payload.items',
      (e: any): void => {
        e.payload.items = [];
      },
    ],
    [
      'DEAD_LETTER',
      'payload.origin.offset',
      (e: any): void => {
        e.payload.origin.offset = 'sixteen';
      },
    ],
  ] as const)('rejects a broken %s naming %s', (type, path, mutate) => {
    const broken = clone(FIXTURES[type]);
    mutate(broken);
    expect(problemsFor(broken).problems.map((p) => p.path)).toContain(path);
  });
});

describe('eventId', () => {
  it('gives the same logical event the same id and other events other ids', () => {
    expect(eventId('FUNDS_HELD', 'ord_1')).toBe(eventId('FUNDS_HELD', 'ord_1'));
    expect(eventId('FUNDS_HELD', 'ord_1')).not.toBe(eventId('FUNDS_HELD', 'ord_2'));
    expect(eventId('FUNDS_HELD', 'ord_1')).not.toBe(eventId('FUNDS_RELEASED', 'ord_1'));
    expect(eventId('A', 'b', 'c')).not.toBe(eventId('A', 'bc'));
  });

  it('has the layout of a version-5 UUID', () => {
    expect(eventId('ORDER_CREATED', 'ord_1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('refuses an empty part', () => {
    expect(() => eventId('ORDER_CREATED', '')).toThrow(/empty part/);
  });
});

describe('addCents', () => {
  it('adds whole cents and refuses fractions', () => {
    expect(addCents(450, 450, 1)).toBe(901);
    expect(() => addCents(0.1, 0.2)).toThrow(/not a whole number of cents/);
  });
});
