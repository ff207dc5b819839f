/**
 * Reads every Lambda function's execution role out of the synthesized templates: the role's inline
 * policies, the `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` resources attached to it, the managed
 * policy ARNs it lists (AWS ones from managed-policies.ts, customer ones from the template) and its
 * permissions boundary. Every intrinsic is resolved with the local account, region and partition by the
 * runtime's own resolver, so policy resources name the same ARNs the local services use.
 */
import { type AssemblyStack, readStacks, stackResolvers } from '#local/assembly/index';
import { type CfnResource, LOCAL_ACCOUNT_ID } from '#local/assembly/intrinsics';
import { IamConfigError } from './errors';
import { awsManagedPolicy, type PolicyDocument } from './managed-policies';

export interface NamedPolicy {
  /** `<stack>/<logical id>`, `<role>/<inline name>` or the managed policy ARN. */
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface ExecutionRole {
  readonly functionName: string;
  readonly roleArn: string;
  readonly roleName: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function>`: who the function is to AWS. */
  readonly sessionArn: string;
  readonly accountId: string;
  readonly policies: readonly NamedPolicy[];
  readonly permissionsBoundary?: NamedPolicy;
  /** Managed policy ARNs attached in the template whose statements the local runtime does not know. */
  readonly unknownManagedPolicies: readonly string[];
}

export interface ReadRolesOptions {
  readonly assemblyDir: string;
  readonly region?: string;
  readonly accountId?: string;
}

/** A resolver per stack that also resolves `Fn::ImportValue` across the assembly's stacks. */
function resolvers(stacks: readonly AssemblyStack[], accountId: string) {
  return stackResolvers(stacks, { accountId, missingExport: (message) => new IamConfigError(message) });
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Execution roles of every function in the assembly, keyed by function name. */
export function readExecutionRoles(options: ReadRolesOptions): Map<string, ExecutionRole> {
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const stacks = readStacks({ assemblyDir: options.assemblyDir, region: options.region });
  const resolverOf = resolvers(stacks, accountId);
  const out = new Map<string, ExecutionRole>();

  for (const stack of stacks) {
    const r = resolverOf(stack);
    const resources = stack.template.Resources ?? {};
    const active = (res: CfnResource) => !res.Condition || r.evaluateCondition(res.Condition);
    const where = (id: string, prop: string) => `${stack.stackName}.${id}.${prop}`;

    // Roles of this stack by ARN, and what attaches to them by role name.
    const roles = new Map<string, { id: string; name: string; props: Record<string, unknown> }>();
    for (const [id, res] of Object.entries(resources)) {
      if (res.Type !== 'AWS::IAM::Role' || !active(res)) continue;
      roles.set(r.getAtt(id, 'Arn'), { id, name: r.ref(id), props: res.Properties ?? {} });
    }
    const attached = new Map<string, NamedPolicy[]>();
    const customerManaged = new Map<string, NamedPolicy>();
    for (const [id, res] of Object.entries(resources)) {
      if (!active(res)) continue;
      if (res.Type !== 'AWS::IAM::Policy' && res.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const props = res.Properties ?? {};
      const document = r.resolve(props.PolicyDocument, where(id, 'PolicyDocument')) as PolicyDocument;
      const policy: NamedPolicy = { name: `${stack.stackName}/${id}`, document };
      if (res.Type === 'AWS::IAM::ManagedPolicy') customerManaged.set(r.ref(id), policy);
      for (const role of asList(r.resolve(props.Roles, where(id, 'Roles')))) {
        const list = attached.get(String(role)) ?? [];
        list.push(policy);
        attached.set(String(role), list);
      }
    }

    for (const [id, res] of Object.entries(resources)) {
      if (res.Type !== 'AWS::Lambda::Function' || !active(res)) continue;
      const props = res.Properties ?? {};
      const functionName = r.ref(id);
      const roleArn = r.resolveString(props.Role, where(id, 'Role'));
      const role = roles.get(roleArn);
      if (!role) {
        throw new IamConfigError(
          `function ${functionName} runs as ${roleArn}, which is not an AWS::IAM::Role of stack ${stack.stackName}; ` +
            'the local runtime can only enforce roles defined in the template (run with --iam off to skip IAM)',
        );
      }
      const policies: NamedPolicy[] = [];
      const unknown: string[] = [];
      for (const [i, inline] of asList(role.props.Policies).entries()) {
        const p = r.resolve(inline, where(role.id, `Policies[${i}]`)) as {
          PolicyName?: string;
          PolicyDocument: PolicyDocument;
        };
        policies.push({ name: `${role.name}/${p.PolicyName ?? i}`, document: p.PolicyDocument });
      }
      const managed = (arn: string): NamedPolicy | undefined => {
        const known = awsManagedPolicy(arn);
        if (known) return { name: arn, document: known };
        const customer = [...customerManaged.entries()].find(
          ([ref]) => ref === arn || arn.endsWith(`/${ref}`),
        );
        if (customer) return customer[1];
        unknown.push(arn);
        return undefined;
      };
      for (const arn of asList(
        r.resolve(role.props.ManagedPolicyArns, where(role.id, 'ManagedPolicyArns')),
      )) {
        const p = managed(String(arn));
        if (p) policies.push(p);
      }
      policies.push(...(attached.get(role.name) ?? []));
      const boundaryArn = role.props.PermissionsBoundary
        ? r.resolveString(role.props.PermissionsBoundary, where(role.id, 'PermissionsBoundary'))
        : undefined;
      const boundary = boundaryArn ? managed(boundaryArn) : undefined;
      out.set(functionName, {
        functionName,
        roleArn,
        roleName: role.name,
        sessionArn: `arn:aws:sts::${accountId}:assumed-role/${role.name}/${functionName}`,
        accountId,
        policies,
        ...(boundary ? { permissionsBoundary: boundary } : {}),
        unknownManagedPolicies: unknown,
      });
    }
  }
  return out;
}
