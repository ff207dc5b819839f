/**
 * Decides one AWS call of one function against its execution role with `@cloud-copilot/iam-simulate`
 * (action wildcards, resource ARN matching, explicit Deny over Allow, condition operators, permissions
 * boundaries), and words the answer the way AWS does. The policies are fixed for a run, so decisions are
 * cached per (role, action, resource, context). `evaluateSync` serves the Kafka broker's synchronous
 * authorizer with the library's unvalidated entry point (its actions and ARNs are built here, not read
 * from a request).
 */
import {
  isWildcardOnlyAction,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import type { ExecutionRole } from './roles';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface CallToCheck {
  /** e.g. `dynamodb:PutItem`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions that take none. */
  readonly resource: string;
  /** Service condition keys of the request, e.g. `{ 'iam:PassedToService': 'scheduler.amazonaws.com' }`. */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface Verdict {
  readonly decision: Decision;
  readonly allowed: boolean;
  /** AWS's sentence: `User: <arn> is not authorized to perform: <action> on resource: <arn> because ...`. */
  readonly message: string;
  /** Set when the simulator could not evaluate the request (an unknown action, a malformed policy). */
  readonly error?: string;
}

export class IamEvaluator {
  private readonly cache = new Map<string, Promise<Verdict>>();
  private readonly syncCache = new Map<string, Verdict>();
  private readonly wildcardOnly = new Map<string, boolean>();
  private readonly validated = new Set<string>();

  constructor(private readonly region: string) {}

  evaluate(role: ExecutionRole, call: CallToCheck): Promise<Verdict> {
    const key = JSON.stringify([role.sessionArn, call.action, call.resource, call.context ?? {}]);
    let verdict = this.cache.get(key);
    if (!verdict) {
      verdict = this.run(role, call);
      this.cache.set(key, verdict);
    }
    return verdict;
  }

  /** The same decision, synchronously (no input validation): for the Kafka broker's authorizer. */
  evaluateSync(role: ExecutionRole, call: CallToCheck): Verdict {
    const key = JSON.stringify([role.sessionArn, call.action, call.resource, call.context ?? {}]);
    let verdict = this.syncCache.get(key);
    if (!verdict) {
      const decision = runUnsafeSimulation(this.simulation(role, call), {}) as Decision;
      verdict = this.verdict(role, call, decision);
      this.syncCache.set(key, verdict);
    }
    return verdict;
  }

  private simulation(role: ExecutionRole, call: CallToCheck): Simulation {
    return {
      request: {
        principal: role.sessionArn,
        action: call.action,
        resource: { resource: call.resource, accountId: role.accountId },
        contextVariables: {
          // Global keys AWS sets for every call a Lambda function makes with its role's session.
          'aws:PrincipalArn': role.roleArn,
          'aws:PrincipalAccount': role.accountId,
          'aws:PrincipalType': 'AssumedRole',
          'aws:RequestedRegion': this.region,
          'aws:SecureTransport': 'true',
          ...call.context,
        },
      },
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(role.permissionsBoundary
        ? {
            permissionBoundaryPolicies: [
              { name: role.permissionsBoundary.name, policy: role.permissionsBoundary.document },
            ],
          }
        : {}),
    };
  }

  private async run(role: ExecutionRole, call: CallToCheck): Promise<Verdict> {
    // Actions without resource types (kafka:GetBootstrapBrokers, dynamodb:ListTables) are granted on `*`
    // only; IAM evaluates them against `*` whatever the request names.
    let wildcardOnly = this.wildcardOnly.get(call.action);
    if (wildcardOnly === undefined) {
      const [service = '', name = ''] = call.action.split(':');
      wildcardOnly = await isWildcardOnlyAction(service, name).catch(() => false);
      this.wildcardOnly.set(call.action, wildcardOnly);
    }
    const simulation = this.simulation(role, wildcardOnly ? { ...call, resource: '*' } : call);
    // The first call of a role runs the validating entry point (its policies, the action, the resource
    // type); later ones skip the validation, which is most of the cost, on the broker's event loop.
    if (!this.validated.has(role.sessionArn)) {
      const result = await runSimulation(simulation, {});
      if (result.resultType === 'error') {
        const error = result.errors.message;
        return { ...this.verdict(role, call, 'ImplicitlyDenied', error), error };
      }
      this.validated.add(role.sessionArn);
      return this.verdict(role, call, result.overallResult as Decision);
    }
    return this.verdict(role, call, runUnsafeSimulation(simulation, {}) as Decision);
  }

  private verdict(role: ExecutionRole, call: CallToCheck, decision: Decision, error?: string): Verdict {
    const who = `User: ${role.sessionArn} is not authorized to perform: ${call.action} on resource: ${call.resource}`;
    if (error) {
      return {
        decision,
        allowed: false,
        message: `${who} because the local IAM simulator cannot evaluate the request (${error})`,
      };
    }
    if (decision === 'Allowed') return { decision, allowed: true, message: '' };
    const because =
      decision === 'ExplicitlyDenied'
        ? 'with an explicit deny in an identity-based policy'
        : `because no identity-based policy allows the ${call.action} action`;
    return { decision, allowed: false, message: `${who} ${because}` };
  }
}
