/**
 * An `Invoker` that calls functions through the Lambda Invoke API (RequestResponse), e.g. the functions
 * deployed in LocalStack. It is what the ESM emulator, the scheduler engine and the HTTP API gateway use in
 * bridge mode instead of the embedded function host.
 */
import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { InvokeResult, Invoker } from '#local/core/types';

/** `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]` -> `<name>`; anything else as it is. */
export function functionNameOf(ref: string): string {
  const m = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([^:]+)(?::[^:]+)?$/.exec(ref);
  return m ? m[1]! : ref;
}

function parsePayload(bytes: Uint8Array | undefined): unknown {
  if (!bytes || bytes.length === 0) return null;
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class LambdaApiInvoker implements Invoker {
  readonly client: LambdaClient;

  constructor(config: LambdaClientConfig) {
    // A batch can wait for a slow cold start in LocalStack; the SDK's default socket timeout is no limit.
    this.client = new LambdaClient({ maxAttempts: 1, ...config });
  }

  /**
   * Invokes by function name (taken from an ARN when given one), so an ARN of the app model reaches the same
   * function whatever region or account the endpoint reports.
   */
  async invoke(functionRef: string, event: unknown): Promise<InvokeResult> {
    const started = Date.now();
    try {
      const out = await this.client.send(
        new InvokeCommand({
          FunctionName: functionNameOf(functionRef),
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(event ?? {})),
        }),
      );
      const payload = parsePayload(out.Payload);
      const durationMs = Date.now() - started;
      if (out.FunctionError) {
        const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
        return {
          ok: false,
          error: {
            errorType: typeof p.errorType === 'string' ? p.errorType : out.FunctionError,
            errorMessage: typeof p.errorMessage === 'string' ? p.errorMessage : JSON.stringify(payload),
            stackTrace: Array.isArray(p.stackTrace) ? p.stackTrace.map(String) : undefined,
          },
          durationMs,
        };
      }
      return { ok: true, payload, durationMs };
    } catch (err) {
      // Not deployed, throttled, endpoint down: a failed invocation the caller retries like a function error.
      const e = err as Error;
      return {
        ok: false,
        error: { errorType: e.name || 'InvokeError', errorMessage: e.message || String(err) },
        durationMs: Date.now() - started,
      };
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
