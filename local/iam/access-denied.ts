/**
 * Refusals in the wire shape AWS sends, per protocol, so the SDK in the function raises the same
 * exception class with the same message as in AWS:
 *   JSON 1.0 (DynamoDB):      400, `{"__type": "com.amazon.coral.service#AccessDeniedException", "Message": ...}`
 *   JSON 1.1 (Logs):          400, `{"__type": "AccessDeniedException", "message": ...}`
 *   REST-JSON (Scheduler, Lambda, MSK): 403, `x-amzn-ErrorType: AccessDeniedException`, `{"Message": ...}`
 */
import { AccessDeniedError, type IamError, UnrecognizedClientError } from './errors';

export type WireProtocol = 'json-1.0' | 'json-1.1' | 'rest-json';

export interface ErrorReply {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The AWS error code of a refusal. */
export function errorCode(err: IamError): string {
  if (err instanceof AccessDeniedError) return 'AccessDeniedException';
  if (err instanceof UnrecognizedClientError) return err.code;
  return 'AccessDeniedException';
}

export function errorReply(err: IamError, protocol: WireProtocol, requestId: string): ErrorReply {
  const code = errorCode(err);
  if (protocol === 'json-1.0') {
    return {
      statusCode: 400,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: `com.amazon.coral.service#${code}`, Message: err.message }),
    };
  }
  if (protocol === 'json-1.1') {
    return {
      statusCode: 400,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: code, message: err.message }),
    };
  }
  return {
    statusCode: 403,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': code,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ Message: err.message, message: err.message }),
  };
}
