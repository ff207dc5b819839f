/**
 * The local IAM enforcement point shared by every stand-in (the DynamoDB proxy, the AWS API server, the
 * Kafka broker's authorizer): finds the calling function from the request's SigV4 signature, checks each
 * action/resource the call needs against the function's execution role, and in `enforce` mode refuses
 * what AWS would refuse. Every refusal (or, in `warn` mode, every call AWS would refuse) prints one line:
 * function, action, resource. Clients that are not functions (the CLI, tests, kcat) sign with an operator
 * key (`local` or `test`) and are not checked; any other key is refused as AWS refuses an unknown key.
 */

import type { LocalCredentials } from './credentials';
import { AccessDeniedError, UnrecognizedClientError } from './errors';
import type { CallToCheck, IamEvaluator, Verdict } from './evaluator';
import type { ExecutionRole } from './roles';
import { parseAuthorization, type RequestToVerify, verifySignature } from './sigv4';

export const IAM_MODES = ['enforce', 'warn', 'off'] as const;
export type IamMode = (typeof IAM_MODES)[number];

/** Access key ids of callers that are not functions: the CLI signs with `local`, tests and LocalStack tools with `test`. */
export const OPERATOR_KEYS: readonly string[] = ['local', 'test'];

/** The same refused call is reported at most once per this interval. */
const REPORT_INTERVAL_MS = 5000;

export type Caller =
  | { readonly kind: 'function'; readonly role: ExecutionRole }
  | { readonly kind: 'operator'; readonly accessKeyId: string };

/** One call AWS would refuse. */
export interface Denial {
  readonly functionName: string;
  readonly action: string;
  readonly resource: string;
  readonly message: string;
  /** Whether the call was refused (enforce) or only reported (warn). */
  readonly enforced: boolean;
}

export interface IamGuardOptions {
  readonly mode: IamMode;
  readonly roles: ReadonlyMap<string, ExecutionRole>;
  readonly credentials: LocalCredentials;
  readonly evaluator: IamEvaluator;
  readonly operatorKeys?: readonly string[];
  /** Where the one-line reports go (the runtime prints them with an `[iam]` prefix). */
  readonly report?: (line: string, denial?: Denial) => void;
}

export class IamGuard {
  readonly denials: Denial[] = [];
  private readonly lastReported = new Map<string, number>();
  private readonly operatorKeys: ReadonlySet<string>;

  constructor(private readonly options: IamGuardOptions) {
    this.operatorKeys = new Set(options.operatorKeys ?? OPERATOR_KEYS);
  }

  get mode(): IamMode {
    return this.options.mode;
  }

  /** The execution role of a function, by name. */
  role(functionName: string): ExecutionRole | undefined {
    return this.options.roles.get(functionName);
  }

  /**
   * Who signed the request. Throws UnrecognizedClientError (in warn mode: reports and answers operator)
   * for an unsigned request, an unknown key or a wrong signature.
   */
  async identify(request: RequestToVerify): Promise<Caller> {
    const header = request.headers.authorization;
    const auth = parseAuthorization(typeof header === 'string' ? header : undefined);
    if (!auth) {
      return this.refuseClient(
        'MissingAuthenticationTokenException',
        'Missing Authentication Token: the request is not signed with AWS Signature Version 4',
      );
    }
    if (this.operatorKeys.has(auth.accessKeyId)) return { kind: 'operator', accessKeyId: auth.accessKeyId };
    const issued = this.options.credentials.find(auth.accessKeyId);
    const role = issued ? this.options.roles.get(issued.functionName) : undefined;
    if (!issued || !role) {
      return this.refuseClient(
        'UnrecognizedClientException',
        `The security token included in the request is invalid: access key ${auth.accessKeyId} was not issued by ` +
          `the local runtime (functions get their own; other clients sign with ${[...this.operatorKeys].join(' or ')})`,
      );
    }
    if (!(await verifySignature(request, auth, issued))) {
      return this.refuseClient(
        'InvalidSignatureException',
        `The request signature we calculated does not match the signature you provided (access key ${auth.accessKeyId} of ${issued.functionName})`,
      );
    }
    return { kind: 'function', role };
  }

  private refuseClient(code: UnrecognizedClientError['code'], message: string): Caller {
    if (this.options.mode === 'enforce') throw new UnrecognizedClientError(message, code);
    this.options.report?.(`unrecognized client allowed (--iam warn): ${message}`);
    return { kind: 'operator', accessKeyId: '' };
  }

  /**
   * Checks every call; the first one AWS would refuse throws AccessDeniedError in enforce mode, and is
   * reported and let through in warn mode. Operators pass unchecked.
   */
  async check(caller: Caller, calls: readonly CallToCheck[]): Promise<void> {
    if (caller.kind !== 'function' || this.options.mode === 'off') return;
    for (const call of calls) {
      const verdict = await this.options.evaluator.evaluate(caller.role, call);
      if (!verdict.allowed) this.deny(caller.role, call, verdict);
    }
  }

  /**
   * Decides one call of a function synchronously without throwing (the Kafka broker's authorizer asks
   * this way): true when allowed, or when warn mode lets a refused call through (and reports it).
   */
  allowsSync(functionName: string, call: CallToCheck): boolean {
    const role = this.options.roles.get(functionName);
    if (!role || this.options.mode === 'off') return true;
    const verdict = this.options.evaluator.evaluateSync(role, call);
    if (verdict.allowed) return true;
    try {
      this.deny(role, call, verdict);
      return true;
    } catch {
      return false;
    }
  }

  private deny(role: ExecutionRole, call: CallToCheck, verdict: Verdict): void {
    const enforced = this.options.mode === 'enforce';
    const denial: Denial = {
      functionName: role.functionName,
      action: call.action,
      resource: call.resource,
      message: verdict.message,
      enforced,
    };
    this.denials.push(denial);
    // A client that retries a refused call (a consumer polling a topic it may not read) gets one line per
    // call and resource every few seconds, not one per retry.
    const key = `${role.functionName} ${call.action} ${call.resource}`;
    const now = Date.now();
    const last = this.lastReported.get(key);
    const quiet = last !== undefined && now - last < REPORT_INTERVAL_MS;
    if (!quiet) this.lastReported.set(key, now);
    const why = verdict.error
      ? `cannot evaluate: ${verdict.error}`
      : verdict.decision === 'ExplicitlyDenied'
        ? 'explicitly denied'
        : 'no policy allows it';
    if (!quiet)
      this.options.report?.(
        `${enforced ? 'denied' : 'would deny (--iam warn)'}: ${role.functionName} ${call.action} ${call.resource} (${why})`,
        denial,
      );
    if (enforced) throw new AccessDeniedError(verdict.message, call.action, call.resource);
  }
}
