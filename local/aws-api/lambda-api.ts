import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { InvokeResult, Invoker, LocalFunction } from '#local/core/types';
import { AwsApiError, InternalError, ResourceNotFoundError, UnknownOperationError } from './errors';
import { type ApiReply, type ApiRequest, validate } from './http';

/**
 * Lambda's REST-JSON API (2015-03-31) as `@aws-sdk/client-lambda` sends it:
 *   POST /2015-03-31/functions/{FunctionName}/invocations   Invoke (header X-Amz-Invocation-Type)
 *   GET  /2015-03-31/functions                              ListFunctions (query Marker, MaxItems)
 * A function error is a 200 with `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage, trace }`.
 */

/** Lambda's synchronous request payload limit. */
export const MAX_INVOKE_PAYLOAD = 6 * 1024 * 1024;

class InvalidRequestContentError extends AwsApiError {
  override name = 'InvalidRequestContentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidRequestContentException', message, 400, options);
  }
}

class InvalidParameterValueError extends AwsApiError {
  override name = 'InvalidParameterValueError';
  constructor(message: string) {
    super('InvalidParameterValueException', message, 400);
  }
}

export interface LambdaApiOptions {
  readonly invoker: Invoker;
  /** The functions of the app; when given, Invoke answers 404 for others and ListFunctions lists these. */
  readonly functions?: () => readonly LocalFunction[];
  /** Reports failures of `Event` (asynchronous) invocations, which have no caller to tell. */
  readonly onAsyncError?: (functionName: string, error: string) => void;
}

/** `name`, `name:qualifier`, a full or partial ARN with or without qualifier -> the unqualified reference. */
export function unqualified(functionName: string): string {
  const arn = /^(arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:[^:]+)(:[^:]+)?$/.exec(functionName);
  if (arn) return arn[1]!;
  const partial = /^(\d{12}:function:[^:]+)(:[^:]+)?$/.exec(functionName);
  if (partial) return partial[1]!;
  return functionName.split(':')[0]!;
}

const ListQuerySchema = z.object({
  Marker: z.string().min(1).optional(),
  MaxItems: z.coerce.number().int().min(1).max(10_000).optional(),
  FunctionVersion: z.literal('ALL').optional(),
  MasterRegion: z.string().optional(),
});

function configuration(f: LocalFunction) {
  return {
    FunctionName: f.functionName,
    FunctionArn: f.arn,
    Runtime: f.runtime ?? 'nodejs20.x',
    Handler: f.handler,
    Timeout: f.timeoutSeconds,
    MemorySize: f.memoryMb,
    Version: '$LATEST',
    PackageType: 'Zip',
    Environment: { Variables: f.environment },
    LoggingConfig: { LogFormat: f.logFormat ?? 'Text', LogGroup: f.logGroupName },
  };
}

export class LambdaApi {
  constructor(private readonly options: LambdaApiOptions) {}

  async handle(req: ApiRequest): Promise<ApiReply> {
    const [, collection, functionName, action, ...extra] = req.segments;
    if (collection === 'functions' && extra.length === 0) {
      if (functionName === undefined && req.method === 'GET') return this.listFunctions(req);
      if (functionName !== undefined && action === 'invocations' && req.method === 'POST') {
        return this.invoke(functionName, req);
      }
    }
    throw new UnknownOperationError(
      `Lambda: ${req.method} /${req.segments.join('/')} is not an operation the local Lambda API supports ` +
        '(Invoke and ListFunctions are)',
    );
  }

  private find(ref: string): LocalFunction | undefined {
    return this.options
      .functions?.()
      .find(
        (f) =>
          f.functionName === ref ||
          f.arn === ref ||
          f.logicalId === ref ||
          ref.endsWith(`:function:${f.functionName}`),
      );
  }

  private listFunctions(req: ApiRequest): ApiReply {
    const q = validate(ListQuerySchema, Object.fromEntries(req.query.entries()), 'ListFunctions');
    const all = [...(this.options.functions?.() ?? [])].sort((a, b) =>
      a.functionName.localeCompare(b.functionName),
    );
    const start = q.Marker === undefined ? 0 : Number.parseInt(q.Marker, 10);
    if (!Number.isInteger(start) || start < 0) {
      throw new InvalidParameterValueError(
        `ListFunctions: Marker '${q.Marker}' is not a marker this API issued`,
      );
    }
    const max = q.MaxItems ?? 50;
    return {
      json: {
        Functions: all.slice(start, start + max).map(configuration),
        NextMarker: start + max < all.length ? String(start + max) : undefined,
      },
    };
  }

  private async invoke(functionName: string, req: ApiRequest): Promise<ApiReply> {
    const ref = unqualified(functionName);
    const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['RequestResponse', 'Event', 'DryRun'].includes(invocationType)) {
      throw new InvalidParameterValueError(
        `Invoke: X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got '${invocationType}'`,
      );
    }
    if (this.options.functions && !this.find(ref)) {
      throw new ResourceNotFoundError(`Function not found: ${functionName}`);
    }
    let event: unknown = {};
    const text = req.body.toString('utf8');
    if (text.trim() !== '') {
      try {
        event = JSON.parse(text);
      } catch (err) {
        throw new InvalidRequestContentError(
          `Could not parse request body into json: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    const headers = { 'x-amzn-requestid': randomUUID(), 'x-amz-executed-version': '$LATEST' };
    if (invocationType === 'DryRun') return { statusCode: 204, headers, raw: '' };
    if (invocationType === 'Event') {
      void this.call(ref, event).then(
        (result) => {
          if (!result.ok) {
            this.options.onAsyncError?.(ref, `${result.error.errorType}: ${result.error.errorMessage}`);
          }
        },
        (err: unknown) => this.options.onAsyncError?.(ref, String(err)),
      );
      return { statusCode: 202, headers, raw: '' };
    }
    const result = await this.call(ref, event);
    if (result.ok) {
      return { headers, raw: JSON.stringify(result.payload ?? null) };
    }
    const { errorType, errorMessage, stackTrace } = result.error;
    return {
      headers: { ...headers, 'x-amz-function-error': 'Unhandled' },
      raw: JSON.stringify({ errorType, errorMessage, trace: stackTrace ?? [] }),
    };
  }

  private async call(ref: string, event: unknown): Promise<InvokeResult> {
    try {
      return await this.options.invoker.invoke(ref, event);
    } catch (err) {
      const e = err as Error;
      if (/not ?found|unknown function|no function/i.test(`${e.name} ${e.message}`)) {
        throw new ResourceNotFoundError(`Function not found: ${ref} (${e.message})`, { cause: err });
      }
      throw new InternalError('ServiceException', `Invoking ${ref} failed: ${e.message}`, { cause: err });
    }
  }
}
