import type { z } from 'zod';
import { AnyEvent } from './envelope';
import { EVENT_TYPES } from './events';

export type ParseFailureReason = 'NOT_JSON' | 'SCHEMA_VIOLATION' | 'UNKNOWN_TYPE';

export interface FieldProblem {
  /** Dotted path of the field, e.g. `payload.items.0.quantity`; empty for the value as a whole. */
  readonly path: string;
  readonly message: string;
}

/** Why a message value is not a valid event. Never thrown by parseEvent; returned as data. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly retriable = false;
  constructor(
    readonly reason: ParseFailureReason,
    message: string,
    readonly problems: readonly FieldProblem[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ParseResult = { ok: true; event: AnyEvent } | { ok: false; error: ContractError };

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

/**
 * Parses a message value (bytes or text) into a typed event. Never throws: a value that is not JSON,
 * has an unknown `type`, or breaks its schema comes back as a ContractError that names each bad field.
 */
export function parseEvent(input: Uint8Array | string): ParseResult {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    return {
      ok: false,
      error: new ContractError('NOT_JSON', `value is not JSON: ${JSON.stringify(preview)}`, [], { cause }),
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: new ContractError('SCHEMA_VIOLATION', 'value must be a JSON object', []) };
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string' || !(EVENT_TYPES as string[]).includes(type)) {
    const problem = {
      path: 'type',
      message:
        typeof type === 'string'
          ? `unknown event type ${JSON.stringify(type)}`
          : 'must be an event type string',
    };
    return { ok: false, error: new ContractError('UNKNOWN_TYPE', describeProblems([problem]), [problem]) };
  }
  const result = AnyEvent.safeParse(json);
  if (!result.success) {
    const problems = problemsOf(result.error);
    return {
      ok: false,
      error: new ContractError('SCHEMA_VIOLATION', `${type} ${describeProblems(problems)}`, problems),
    };
  }
  return { ok: true, event: result.data };
}
