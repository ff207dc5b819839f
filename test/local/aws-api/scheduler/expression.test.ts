import { atInstant, parseScheduleExpression } from '#local/aws-api/index';

describe('schedule expressions', () => {
  it('reads at() in UTC by default', () => {
    const at = parseScheduleExpression('at(2026-03-19T13:00:00)');
    expect(at.kind).toBe('at');
    if (at.kind !== 'at') throw new Error('not at()');
    expect(new Date(atInstant(at)).toISOString()).toBe('2026-03-19T13:00:00.000Z');
  });

  it('reads at() in the schedule time zone, daylight saving included', () => {
    const summer = parseScheduleExpression('at(2026-07-01T12:00:00)');
    const winter = parseScheduleExpression('at(2026-01-15T12:00:00)');
    if (summer.kind !== 'at' || winter.kind !== 'at') throw new Error('not at()');
    expect(new Date(atInstant(summer, 'Europe/Berlin')).toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(new Date(atInstant(winter, 'Europe/Berlin')).toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect(new Date(atInstant(winter, 'America/New_York')).toISOString()).toBe('2026-01-15T17:00:00.000Z');
  });

  it('parses rate() into a period', () => {
    expect(parseScheduleExpression('rate(1 hour)')).toEqual({
      kind: 'rate',
      value: 1,
      unit: 'hour',
      periodMs: 3_600_000,
    });
    expect(parseScheduleExpression('rate(15 minutes)')).toMatchObject({ periodMs: 900_000 });
  });

  it.each([
    ['at(2026-13-01T00:00:00)', 'not a valid date'],
    ['at(2026-01-01T24:00:00)', 'not a valid date'],
    ['at(2026-01-01 00:00:00)', 'invalid schedule expression'],
    ['rate(0 minutes)', 'must be >= 1'],
    ['rate(2 hour)', 'plural'],
    ['cron(0 12 * * * *)', "exactly one of day-of-month and day-of-week must be '?'"],
    ['cron(0 25x * * ? *)', 'invalid hours field'],
  ])('rejects %s', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });
});
