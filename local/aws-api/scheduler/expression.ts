/**
 * EventBridge Scheduler schedule expressions:
 *   at(yyyy-mm-ddThh:mm:ss)                   one-time, wall-clock time in ScheduleExpressionTimezone (UTC)
 *   rate(value unit)                          unit minute|minutes|hour|hours|day|days (singular iff value 1)
 *   cron(minutes hours dom month dow year)    six fields; one of dom/dow must be `?`
 * The local scheduler fires `at()` schedules; rate and cron are validated and stored.
 */

export type ScheduleExpression =
  | {
      readonly kind: 'at';
      readonly year: number;
      readonly month: number;
      readonly day: number;
      readonly hour: number;
      readonly minute: number;
      readonly second: number;
    }
  | {
      readonly kind: 'rate';
      readonly value: number;
      readonly unit: 'minute' | 'hour' | 'day';
      readonly periodMs: number;
    }
  | { readonly kind: 'cron'; readonly fields: readonly string[] };

/** Thrown with a sentence naming what is wrong with the expression. */
export class ScheduleExpressionError extends Error {
  override name = 'ScheduleExpressionError';
}

const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

const CRON_FIELDS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'minutes', pattern: /^[0-9,\-*/]+$/ },
  { name: 'hours', pattern: /^[0-9,\-*/]+$/ },
  { name: 'day-of-month', pattern: /^([0-9,\-*/LW]+|\?)$/ },
  { name: 'month', pattern: /^([0-9,\-*/]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i },
  { name: 'day-of-week', pattern: /^(([1-7,\-*/L#])|SUN|MON|TUE|WED|THU|FRI|SAT)+$|^\?$/i },
  { name: 'year', pattern: /^[0-9,\-*/]+$/ },
];

export function parseScheduleExpression(expression: string): ScheduleExpression {
  const at = AT.exec(expression);
  if (at) {
    const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    if (
      check.getUTCFullYear() !== year ||
      check.getUTCMonth() !== month - 1 ||
      check.getUTCDate() !== day ||
      hour > 23 ||
      minute > 59 ||
      second > 59
    ) {
      throw new ScheduleExpressionError(`schedule expression ${expression} is not a valid date and time`);
    }
    return { kind: 'at', year, month, day, hour, minute, second };
  }
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const word = rate[2]!;
    const unit = word.replace(/s$/, '') as 'minute' | 'hour' | 'day';
    if (value < 1)
      throw new ScheduleExpressionError(`schedule expression ${expression}: the rate must be >= 1`);
    if ((value === 1) !== (word === unit)) {
      throw new ScheduleExpressionError(
        `schedule expression ${expression}: use the singular unit for 1 and the plural otherwise (e.g. rate(1 minute), rate(5 minutes))`,
      );
    }
    return { kind: 'rate', value, unit, periodMs: value * UNIT_MS[unit] };
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      throw new ScheduleExpressionError(
        `schedule expression ${expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
      );
    }
    fields.forEach((field, i) => {
      const spec = CRON_FIELDS[i]!;
      if (!spec.pattern.test(field)) {
        throw new ScheduleExpressionError(
          `schedule expression ${expression}: invalid ${spec.name} field '${field}'`,
        );
      }
    });
    if ((fields[2] === '?') === (fields[4] === '?')) {
      throw new ScheduleExpressionError(
        `schedule expression ${expression}: exactly one of day-of-month and day-of-week must be '?'`,
      );
    }
    return { kind: 'cron', fields };
  }
  throw new ScheduleExpressionError(
    `invalid schedule expression '${expression}': expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)`,
  );
}

/** Throws unless `timezone` is an IANA time zone name this Node.js knows. */
export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch (err) {
    throw new ScheduleExpressionError(`unknown ScheduleExpressionTimezone '${timezone}'`, { cause: err });
  }
}

/** Offset of `timezone` from UTC at `instant`, in ms (positive east of Greenwich). */
function offsetMs(timezone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant (epoch ms) of an `at()` expression read in `timezone` (default UTC). */
export function atInstant(expression: Extract<ScheduleExpression, { kind: 'at' }>, timezone = 'UTC'): number {
  const { year, month, day, hour, minute, second } = expression;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (timezone === 'UTC' || timezone === 'Etc/UTC') return wall;
  const first = wall - offsetMs(timezone, wall);
  const second_ = wall - offsetMs(timezone, first);
  return second_;
}
