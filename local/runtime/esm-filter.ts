/**
 * Lambda event filtering (`FilterCriteria`) for Kafka records in the local ESM emulator. A record is
 * delivered when any filter pattern matches it; the others are dropped and committed past, as Lambda does.
 * Patterns are matched against the record's metadata and its `key` and `value`, each decoded from base64
 * and parsed as JSON when it is JSON (a plain string otherwise), like Lambda does for Kafka.
 *
 * Lambda uses EventBridge-style patterns; no maintained JavaScript implementation of them is available to
 * the project, so this file implements the comparison operators Lambda documents for event filtering:
 * exact values (including null), `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (values or a
 * `prefix`), `numeric` (`=`, `<`, `<=`, `>`, `>=`, ranges) and `exists`. Any other operator is refused when
 * the mapping starts, naming the operator, rather than silently matching nothing.
 */
import type { MskRecord } from '#local/core/msk-event';

type Pattern = { readonly [field: string]: Pattern | readonly unknown[] };

export class FilterPatternError extends Error {
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FilterPatternError';
  }
}

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists']);

/** Parses and checks the patterns of a mapping; throws a `FilterPatternError` naming what is wrong. */
export function compileFilters(patterns: readonly string[], where: string): Pattern[] {
  return patterns.map((text, i) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new FilterPatternError(`${where}: filter ${i + 1} is not JSON: ${text}`, { cause: err });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new FilterPatternError(`${where}: filter ${i + 1} must be a JSON object, got ${text}`);
    }
    checkPattern(parsed as Pattern, `${where}: filter ${i + 1}`);
    return parsed as Pattern;
  });
}

function checkPattern(pattern: Pattern, where: string): void {
  for (const [field, rule] of Object.entries(pattern)) {
    if (Array.isArray(rule)) {
      for (const condition of rule) {
        if (condition && typeof condition === 'object') {
          for (const op of Object.keys(condition)) {
            if (!OPERATORS.has(op)) {
              throw new FilterPatternError(
                `${where}: operator "${op}" on "${field}" is not emulated locally (supported: ${[...OPERATORS].join(', ')})`,
              );
            }
          }
        }
      }
    } else if (rule && typeof rule === 'object') {
      checkPattern(rule as Pattern, `${where}.${field}`);
    } else {
      throw new FilterPatternError(`${where}: "${field}" must be an array of values or a nested object`);
    }
  }
}

function decoded(base64: string | null): unknown {
  if (base64 === null) return null;
  const text = Buffer.from(base64, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The object a pattern is matched against: the record's metadata with `key` and `value` decoded. */
export function filterView(record: MskRecord): Record<string, unknown> {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: decoded(record.key),
    value: decoded(record.value),
  };
}

function matchesCondition(condition: unknown, present: boolean, value: unknown): boolean {
  if (condition === null || typeof condition !== 'object') {
    return present && (Array.isArray(value) ? value.includes(condition) : value === condition);
  }
  const [op, arg] = Object.entries(condition as Record<string, unknown>)[0] ?? [];
  const values = Array.isArray(value) ? value : [value];
  switch (op) {
    case 'exists':
      return arg === present;
    case 'prefix':
      return present && values.some((v) => typeof v === 'string' && v.startsWith(String(arg)));
    case 'suffix':
      return present && values.some((v) => typeof v === 'string' && v.endsWith(String(arg)));
    case 'equals-ignore-case':
      return (
        present && values.some((v) => typeof v === 'string' && v.toLowerCase() === String(arg).toLowerCase())
      );
    case 'anything-but': {
      if (!present) return false;
      if (arg && typeof arg === 'object' && !Array.isArray(arg) && 'prefix' in arg) {
        const prefix = String((arg as { prefix: unknown }).prefix);
        return values.every((v) => !(typeof v === 'string' && v.startsWith(prefix)));
      }
      const excluded = Array.isArray(arg) ? arg : [arg];
      return values.every((v) => !excluded.includes(v));
    }
    case 'numeric': {
      if (!present) return false;
      const terms = arg as unknown[];
      return values.some((v) => {
        if (typeof v !== 'number') return false;
        for (let i = 0; i + 1 < terms.length; i += 2) {
          const bound = Number(terms[i + 1]);
          const ok =
            terms[i] === '='
              ? v === bound
              : terms[i] === '<'
                ? v < bound
                : terms[i] === '<='
                  ? v <= bound
                  : terms[i] === '>'
                    ? v > bound
                    : terms[i] === '>='
                      ? v >= bound
                      : false;
          if (!ok) return false;
        }
        return true;
      });
    }
    default:
      return false;
  }
}

function matchesPattern(pattern: Pattern, subject: unknown): boolean {
  const object = subject && typeof subject === 'object' ? (subject as Record<string, unknown>) : {};
  return Object.entries(pattern).every(([field, rule]) => {
    const present = Object.hasOwn(object, field) && object[field] !== undefined;
    const value = object[field];
    if (Array.isArray(rule)) return rule.some((condition) => matchesCondition(condition, present, value));
    return present && matchesPattern(rule as Pattern, value);
  });
}

/** Whether a record passes the mapping's filters (no filters: every record passes). */
export function passesFilters(filters: readonly Pattern[], record: MskRecord): boolean {
  if (filters.length === 0) return true;
  const view = filterView(record);
  return filters.some((f) => matchesPattern(f, view));
}

export type { Pattern as FilterPattern };
