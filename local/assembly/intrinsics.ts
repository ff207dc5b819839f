/**
 * A CloudFormation intrinsic-function resolver against local names. It evaluates what a deployed stack
 * would resolve at deploy time (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split,
 * Fn::ImportValue, Fn::If and the condition functions, Fn::FindInMap, Fn::Base64, pseudo parameters),
 * but answers with the names the local runtime uses: table names, local function ARNs, log group names,
 * a placeholder MSK cluster ARN.
 */
import { DEFAULT_ENDPOINTS } from '#local/core/defaults';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const DEFAULT_LOCAL_REGION = 'us-east-1';
export const LOCAL_MSK_CLUSTER_ARN_SUFFIX = 'cluster/campusg-local/00000000-0000-0000-0000-000000000000-1';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: unknown;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown }; Condition?: string }>;
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

export class IntrinsicError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} (at ${path})`);
    this.name = 'IntrinsicError';
  }
}

/** Lookup of `Fn::ImportValue` export names across the stacks of one assembly. */
export interface ExportResolver {
  importValue(exportName: string): string;
}

export interface ResolverOptions {
  readonly stackName: string;
  readonly region: string;
  readonly accountId?: string;
  readonly template: CfnTemplate;
  readonly exports?: ExportResolver;
  /** Parameter values that win over template defaults. */
  readonly parameters?: Readonly<Record<string, string>>;
}

const PSEUDO = new Set([
  'AWS::Region',
  'AWS::AccountId',
  'AWS::Partition',
  'AWS::URLSuffix',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::NoValue',
  'AWS::NotificationARNs',
]);

/** Marker for `Ref: AWS::NoValue`: the property is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Derives a CloudFormation-like physical name: `<stack>-<logicalId>` trimmed to `max` characters. */
export function physicalName(stackName: string, logicalId: string, max = 64): string {
  const name = `${stackName}-${logicalId}`;
  return name.length <= max ? name : name.slice(0, max);
}

export class IntrinsicResolver {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition = 'aws';
  readonly urlSuffix = 'amazonaws.com';
  private readonly resources: Record<string, CfnResource>;
  private readonly conditionCache = new Map<string, boolean>();

  constructor(private readonly options: ResolverOptions) {
    this.stackName = options.stackName;
    this.region = options.region;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.resources = options.template.Resources ?? {};
  }

  /** Resolves every intrinsic in `value`; `Ref: AWS::NoValue` drops object keys and array items. */
  resolve(value: unknown, path = '$'): unknown {
    const out = this.walk(value, path);
    return out === NO_VALUE ? undefined : out;
  }

  /** Resolves to a string, failing when the result is not a scalar. */
  resolveString(value: unknown, path = '$'): string {
    const out = this.resolve(value, path);
    if (typeof out === 'string') return out;
    if (typeof out === 'number' || typeof out === 'boolean') return String(out);
    throw new IntrinsicError(`expected a string, got ${JSON.stringify(out)}`, path);
  }

  resource(logicalId: string): CfnResource | undefined {
    return this.resources[logicalId];
  }

  /** The local physical id of a resource (what `Ref` returns). */
  ref(logicalId: string, path = '$'): string {
    if (PSEUDO.has(logicalId)) return this.pseudo(logicalId, path) as string;
    const param = this.options.template.Parameters?.[logicalId];
    if (param) {
      const given = this.options.parameters?.[logicalId];
      if (given !== undefined) return given;
      if (param.Default !== undefined) return String(param.Default);
      if (param.Type?.startsWith('AWS::SSM::Parameter::Value')) return `local-ssm-${logicalId}`;
      throw new IntrinsicError(`parameter ${logicalId} has no value`, path);
    }
    const res = this.resources[logicalId];
    if (!res) throw new IntrinsicError(`Ref to unknown logical id ${logicalId}`, path);
    const props = res.Properties ?? {};
    const named = (prop: string, max?: number) =>
      props[prop] !== undefined
        ? this.resolveString(props[prop], `${path}.${prop}`)
        : physicalName(this.stackName, logicalId, max);
    switch (res.Type) {
      case 'AWS::Lambda::Function':
        return named('FunctionName', 64);
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return named('TableName', 255);
      case 'AWS::Logs::LogGroup':
        return props.LogGroupName !== undefined
          ? this.resolveString(props.LogGroupName, `${path}.LogGroupName`)
          : physicalName(this.stackName, logicalId, 512);
      case 'AWS::IAM::Role':
        return named('RoleName', 64);
      case 'AWS::Scheduler::ScheduleGroup':
        return named('Name', 64);
      case 'AWS::MSK::Cluster':
      case 'AWS::MSK::ServerlessCluster':
        return this.mskClusterArn();
      case 'AWS::SQS::Queue':
        return `http://sqs.${this.region}.localhost/${this.accountId}/${named('QueueName', 80)}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${this.region}:${this.accountId}:${named('TopicName', 256)}`;
      case 'AWS::Lambda::Permission':
      case 'AWS::Lambda::EventSourceMapping':
      case 'AWS::ApiGatewayV2::Route':
      case 'AWS::ApiGatewayV2::Integration':
      case 'AWS::ApiGatewayV2::Authorizer':
      case 'AWS::ApiGatewayV2::Api':
      case 'AWS::ApiGatewayV2::Stage':
        return logicalId;
      default:
        return physicalName(this.stackName, logicalId, 255);
    }
  }

  /** The local value of `Fn::GetAtt [logicalId, attribute]`. */
  getAtt(logicalId: string, attribute: string, path = '$'): string {
    const res = this.resources[logicalId];
    if (!res) throw new IntrinsicError(`Fn::GetAtt on unknown logical id ${logicalId}`, path);
    const r = this.region;
    const a = this.accountId;
    switch (res.Type) {
      case 'AWS::Lambda::Function':
        if (attribute === 'Arn') return `arn:aws:lambda:${r}:${a}:function:${this.ref(logicalId, path)}`;
        break;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        if (attribute === 'Arn') return `arn:aws:dynamodb:${r}:${a}:table/${this.ref(logicalId, path)}`;
        if (attribute === 'StreamArn')
          return `arn:aws:dynamodb:${r}:${a}:table/${this.ref(logicalId, path)}/stream/1970-01-01T00:00:00.000`;
        break;
      case 'AWS::IAM::Role':
        if (attribute === 'Arn') return `arn:aws:iam::${a}:role/${this.ref(logicalId, path)}`;
        if (attribute === 'RoleId') return `AROA${logicalId.toUpperCase().slice(0, 17)}`;
        break;
      case 'AWS::Logs::LogGroup':
        if (attribute === 'Arn') return `arn:aws:logs:${r}:${a}:log-group:${this.ref(logicalId, path)}:*`;
        break;
      case 'AWS::Scheduler::ScheduleGroup':
        if (attribute === 'Arn')
          return `arn:aws:scheduler:${r}:${a}:schedule-group/${this.ref(logicalId, path)}`;
        break;
      case 'AWS::MSK::Cluster':
      case 'AWS::MSK::ServerlessCluster':
        if (attribute === 'Arn') return this.mskClusterArn();
        break;
      case 'AWS::ApiGatewayV2::Api':
        if (attribute === 'ApiEndpoint') return DEFAULT_ENDPOINTS.http;
        if (attribute === 'ApiId') return logicalId;
        break;
      case 'AWS::SQS::Queue':
        if (attribute === 'Arn') return `arn:aws:sqs:${r}:${a}:${this.ref(logicalId, path).split('/').pop()}`;
        if (attribute === 'QueueName') return this.ref(logicalId, path).split('/').pop()!;
        break;
      default:
        break;
    }
    if (attribute === 'Arn') {
      const service = res.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return `arn:aws:${service}:${r}:${a}:${this.ref(logicalId, path)}`;
    }
    // Attributes the local runtime has no meaning for resolve to a readable placeholder, not an error:
    // they only end up in environment variables or outputs nobody reads locally.
    return `local-${logicalId}-${attribute}`;
  }

  mskClusterArn(): string {
    return `arn:aws:kafka:${this.region}:${this.accountId}:${LOCAL_MSK_CLUSTER_ARN_SUFFIX}`;
  }

  evaluateCondition(name: string, path = '$'): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const expr = this.options.template.Conditions?.[name];
    if (expr === undefined) throw new IntrinsicError(`unknown condition ${name}`, path);
    const value = Boolean(this.walk(expr, `${path}<${name}>`));
    this.conditionCache.set(name, value);
    return value;
  }

  private pseudo(name: string, path: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::Partition':
        return this.partition;
      case 'AWS::URLSuffix':
        return this.urlSuffix;
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
      default:
        throw new IntrinsicError(`unknown pseudo parameter ${name}`, path);
    }
  }

  private walk(value: unknown, path: string): unknown {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((v, i) => {
        const r = this.walk(v, `${path}[${i}]`);
        if (r !== NO_VALUE) out.push(r);
      });
      return out;
    }
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const key = keys[0]!;
      if (key === 'Ref' || key.startsWith('Fn::') || key === 'Condition') {
        const fn = this.intrinsic(key, obj[key], `${path}.${key}`);
        if (fn.handled) return fn.value;
      }
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const r = this.walk(obj[k], `${path}.${k}`);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private intrinsic(key: string, arg: unknown, path: string): { handled: boolean; value?: unknown } {
    switch (key) {
      case 'Ref': {
        if (typeof arg !== 'string') throw new IntrinsicError('Ref takes a logical id', path);
        if (PSEUDO.has(arg)) return { handled: true, value: this.pseudo(arg, path) };
        return { handled: true, value: this.ref(arg, path) };
      }
      case 'Fn::GetAtt': {
        let id: string;
        let attr: string;
        if (typeof arg === 'string') {
          const dot = arg.indexOf('.');
          id = arg.slice(0, dot);
          attr = arg.slice(dot + 1);
        } else if (Array.isArray(arg) && arg.length === 2) {
          id = this.resolveString(arg[0], `${path}[0]`);
          attr = this.resolveString(arg[1], `${path}[1]`);
        } else throw new IntrinsicError('Fn::GetAtt takes [logicalId, attribute]', path);
        return { handled: true, value: this.getAtt(id, attr, path) };
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new IntrinsicError('Fn::Join takes [delimiter, list]', path);
        const delimiter = this.resolveString(arg[0], `${path}[0]`);
        const list = this.walk(arg[1], `${path}[1]`);
        if (!Array.isArray(list)) throw new IntrinsicError('Fn::Join list did not resolve to a list', path);
        return { handled: true, value: list.map((v) => scalar(v, path)).join(delimiter) };
      }
      case 'Fn::Sub':
        return { handled: true, value: this.sub(arg, path) };
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new IntrinsicError('Fn::Select takes [index, list]', path);
        const index = Number(this.walk(arg[0], `${path}[0]`));
        const list = this.walk(arg[1], `${path}[1]`);
        if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length)
          throw new IntrinsicError(`Fn::Select index ${index} out of range`, path);
        return { handled: true, value: list[index] };
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new IntrinsicError('Fn::Split takes [delimiter, string]', path);
        const delimiter = this.resolveString(arg[0], `${path}[0]`);
        const source = this.resolveString(arg[1], `${path}[1]`);
        return { handled: true, value: source.split(delimiter) };
      }
      case 'Fn::ImportValue': {
        const name = this.resolveString(arg, path);
        if (!this.options.exports) throw new IntrinsicError(`no export named ${name}`, path);
        return { handled: true, value: this.options.exports.importValue(name) };
      }
      case 'Fn::Base64':
        return { handled: true, value: Buffer.from(this.resolveString(arg, path)).toString('base64') };
      case 'Fn::GetAZs':
        return { handled: true, value: [`${this.region}a`, `${this.region}b`, `${this.region}c`] };
      case 'Fn::FindInMap': {
        if (!Array.isArray(arg) || arg.length < 3)
          throw new IntrinsicError('Fn::FindInMap takes 3 arguments', path);
        const [m, k1, k2] = arg.slice(0, 3).map((v, i) => this.resolveString(v, `${path}[${i}]`));
        const found = this.options.template.Mappings?.[m!]?.[k1!]?.[k2!];
        if (found === undefined) {
          const fallback = arg[3] as { DefaultValue?: unknown } | undefined;
          if (fallback?.DefaultValue !== undefined)
            return { handled: true, value: this.walk(fallback.DefaultValue, path) };
          throw new IntrinsicError(`Fn::FindInMap found nothing at ${m}.${k1}.${k2}`, path);
        }
        return { handled: true, value: found };
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3)
          throw new IntrinsicError('Fn::If takes 3 arguments', path);
        const cond = this.evaluateCondition(String(arg[0]), path);
        return { handled: true, value: this.walk(cond ? arg[1] : arg[2], path) };
      }
      case 'Fn::Equals': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new IntrinsicError('Fn::Equals takes 2 arguments', path);
        const a = this.walk(arg[0], `${path}[0]`);
        const b = this.walk(arg[1], `${path}[1]`);
        return { handled: true, value: JSON.stringify(a) === JSON.stringify(b) };
      }
      case 'Fn::Not':
        return { handled: true, value: !this.walk((arg as unknown[])[0], `${path}[0]`) };
      case 'Fn::And':
        return { handled: true, value: (arg as unknown[]).every((c, i) => this.walk(c, `${path}[${i}]`)) };
      case 'Fn::Or':
        return { handled: true, value: (arg as unknown[]).some((c, i) => this.walk(c, `${path}[${i}]`)) };
      case 'Condition':
        if (typeof arg === 'string' && this.options.template.Conditions?.[arg] !== undefined)
          return { handled: true, value: this.evaluateCondition(arg, path) };
        return { handled: false };
      default:
        return { handled: false };
    }
  }

  private sub(arg: unknown, path: string): string {
    let template: string;
    let vars: Record<string, unknown> = {};
    if (typeof arg === 'string') template = arg;
    else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string') {
      template = arg[0];
      const resolved = this.walk(arg[1] ?? {}, `${path}[1]`);
      vars = (resolved ?? {}) as Record<string, unknown>;
    } else throw new IntrinsicError('Fn::Sub takes a string or [string, variables]', path);
    return template.replace(/\$\{([^}]*)\}/g, (_m, expr: string) => {
      if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
      const name = expr.trim();
      if (name in vars) return scalar(vars[name], path);
      if (PSEUDO.has(name)) return scalar(this.pseudo(name, path), path);
      const dot = name.indexOf('.');
      if (dot > 0 && !this.options.template.Parameters?.[name]) {
        return this.getAtt(name.slice(0, dot), name.slice(dot + 1), path);
      }
      return this.ref(name, path);
    });
  }
}

function scalar(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new IntrinsicError(`expected a scalar, got ${JSON.stringify(v)}`, path);
}
