/**
 * The local AWS API server's authorizer: every Scheduler, Lambda, CloudWatch Logs and MSK call is
 * checked by the guard (caller from the signature, actions and ARNs from actions.ts) and a refusal
 * becomes the AWS error the server sends in the service's protocol.
 */
import type { AuthorizationRefusal, AuthorizationRequest, RequestAuthorizer } from '#local/aws-api/http';
import { errorCode } from './access-denied';
import { type ArnContext, kafkaChecks, lambdaChecks, logsChecks, schedulerChecks } from './actions';
import { IamError } from './errors';
import type { CallToCheck } from './evaluator';
import type { IamGuard } from './guard';

function jsonBody(body: Buffer): Record<string, unknown> {
  try {
    const value = JSON.parse(body.toString('utf8') || '{}') as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {}; // the handler answers malformed JSON with its own SerializationException
  }
}

export function checksFor(request: AuthorizationRequest, arns: ArnContext): CallToCheck[] {
  const body = jsonBody(request.body);
  const rest = { method: request.method, segments: request.segments, query: request.query, body };
  switch (request.service) {
    case 'logs':
      return logsChecks(request.operation ?? '', body, arns);
    case 'scheduler':
      return schedulerChecks(rest, arns);
    case 'lambda':
      return lambdaChecks(rest, arns);
    case 'kafka':
      return kafkaChecks(rest);
  }
}

export function awsApiAuthorizer(guard: IamGuard, arns: ArnContext): RequestAuthorizer {
  return {
    async authorize(request): Promise<AuthorizationRefusal | undefined> {
      try {
        const caller = await guard.identify(request);
        await guard.check(caller, checksFor(request, arns));
        return undefined;
      } catch (err) {
        if (!(err instanceof IamError)) throw err;
        return { code: errorCode(err), message: err.message, statusCode: 403 };
      }
    },
  };
}
