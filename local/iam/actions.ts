/**
 * What IAM checks an AWS request needs: the action, the resource ARN and the service condition keys, per
 * service and operation, from the request as the SDK sends it. Covers what the local runtime serves:
 * DynamoDB (JSON 1.0, `X-Amz-Target: DynamoDB_20120810.<Op>`; index ARNs for Query/Scan on an index;
 * one check per table for batch and transaction calls), EventBridge Scheduler (REST-JSON; CreateSchedule
 * and UpdateSchedule also need `iam:PassRole` on the target's role with `iam:PassedToService`), Lambda
 * (REST-JSON Invoke / ListFunctions / GetFunction), CloudWatch Logs (JSON 1.1) and MSK's
 * GetBootstrapBrokers. An operation this file does not know is checked as `<service>:<Op>` on `*`.
 */
import type { CallToCheck } from './evaluator';

export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
  readonly partition?: string;
}

function arn(c: ArnContext, service: string, resource: string, region = c.region): string {
  return `arn:${c.partition ?? 'aws'}:${service}:${region}:${c.accountId}:${resource}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

// --- DynamoDB ----------------------------------------------------------------------------------------------

const DYNAMO_TRANSACT: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/** Checks for one DynamoDB call (`operation` = the part of X-Amz-Target after the dot). */
export function dynamoDbChecks(
  operation: string,
  body: Record<string, unknown>,
  c: ArnContext,
): CallToCheck[] {
  const action = `dynamodb:${operation}`;
  const table = (name: string) => {
    // A table may be named by ARN as well (DynamoDB accepts both since 2024).
    if (name.startsWith('arn:')) return name;
    return arn(c, 'dynamodb', `table/${name}`);
  };
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const items = body.RequestItems;
      const names = items && typeof items === 'object' ? Object.keys(items) : [];
      return names.map((n) => ({ action, resource: table(n) }));
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const list = Array.isArray(body.TransactItems) ? body.TransactItems : [];
      const out: CallToCheck[] = [];
      for (const item of list as Record<string, Record<string, unknown>>[]) {
        for (const [kind, spec] of Object.entries(item ?? {})) {
          const a = DYNAMO_TRANSACT[kind];
          const name = str(spec?.TableName);
          if (a && name) out.push({ action: a, resource: table(name) });
        }
      }
      return out;
    }
    case 'ListTables':
    case 'DescribeLimits':
    case 'DescribeEndpoints':
    case 'ListBackups':
    case 'ListGlobalTables':
    case 'ListExports':
    case 'ListImports':
    case 'ListContributorInsights':
      return [{ action, resource: '*' }];
    case 'ListTagsOfResource':
    case 'TagResource':
    case 'UntagResource':
      return [{ action, resource: str(body.ResourceArn) ?? '*' }];
    case 'ExecuteStatement': {
      const statement = str(body.Statement) ?? '';
      const verb = /^\s*(SELECT|INSERT|UPDATE|DELETE)\b/i.exec(statement)?.[1]?.toUpperCase();
      const name = /\b(?:FROM|INTO|UPDATE)\s+"?([A-Za-z0-9_.-]+)"?/i.exec(statement)?.[1];
      const partiql = verb ? `dynamodb:PartiQL${verb[0]}${verb.slice(1).toLowerCase()}` : action;
      return [{ action: partiql, resource: name ? table(name) : '*' }];
    }
    default: {
      const name = str(body.TableName);
      if (!name) return [{ action, resource: '*' }];
      const index = str(body.IndexName);
      return [{ action, resource: index ? `${table(name)}/index/${index}` : table(name) }];
    }
  }
}

// --- EventBridge Scheduler ---------------------------------------------------------------------------------

export interface RestRequest {
  readonly method: string;
  /** Decoded path segments. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
}

/** Checks for one Scheduler call (paths /schedules, /schedule-groups, /tags). */
export function schedulerChecks(req: RestRequest, c: ArnContext): CallToCheck[] {
  const [collection, name] = req.segments;
  const m = req.method.toUpperCase();
  if (collection === 'schedules') {
    if (name === undefined) return [{ action: 'scheduler:ListSchedules', resource: '*' }];
    const group = req.query.get('groupName') ?? str(req.body.GroupName) ?? 'default';
    const resource = arn(c, 'scheduler', `schedule/${group}/${name}`);
    const op =
      m === 'POST'
        ? 'CreateSchedule'
        : m === 'PUT'
          ? 'UpdateSchedule'
          : m === 'DELETE'
            ? 'DeleteSchedule'
            : 'GetSchedule';
    const checks: CallToCheck[] = [{ action: `scheduler:${op}`, resource }];
    const target = req.body.Target as Record<string, unknown> | undefined;
    const role = str(target?.RoleArn);
    if ((op === 'CreateSchedule' || op === 'UpdateSchedule') && role) {
      checks.push({
        action: 'iam:PassRole',
        resource: role,
        context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
    }
    return checks;
  }
  if (collection === 'schedule-groups') {
    if (name === undefined) return [{ action: 'scheduler:ListScheduleGroups', resource: '*' }];
    const op =
      m === 'POST' ? 'CreateScheduleGroup' : m === 'DELETE' ? 'DeleteScheduleGroup' : 'GetScheduleGroup';
    return [{ action: `scheduler:${op}`, resource: arn(c, 'scheduler', `schedule-group/${name}`) }];
  }
  if (collection === 'tags' && name !== undefined) {
    const op = m === 'POST' ? 'TagResource' : m === 'DELETE' ? 'UntagResource' : 'ListTagsForResource';
    return [{ action: `scheduler:${op}`, resource: name }];
  }
  return [{ action: `scheduler:${m}`, resource: '*' }];
}

// --- Lambda ------------------------------------------------------------------------------------------------

/** The function ARN a Lambda API path names (name, partial ARN or ARN; `:qualifier` or `?Qualifier=`). */
export function lambdaFunctionArn(ref: string, qualifier: string | null, c: ArnContext): string {
  let base: string;
  if (ref.startsWith('arn:')) base = ref;
  else if (/^\d{12}:function:/.test(ref)) base = `arn:${c.partition ?? 'aws'}:lambda:${c.region}:${ref}`;
  else base = arn(c, 'lambda', `function:${ref}`);
  if (qualifier && !/:function:[^:]+:[^:]+$/.test(base)) base = `${base}:${qualifier}`;
  return base;
}

/** Checks for one Lambda call (paths /2015-03-31/functions[/{name}[/invocations]]). */
export function lambdaChecks(req: RestRequest, c: ArnContext): CallToCheck[] {
  const [, collection, ref, sub] = req.segments;
  const m = req.method.toUpperCase();
  if (collection !== 'functions') return [{ action: `lambda:${m}`, resource: '*' }];
  if (ref === undefined) return [{ action: 'lambda:ListFunctions', resource: '*' }];
  const resource = lambdaFunctionArn(ref, req.query.get('Qualifier'), c);
  if (sub === 'invocations') return [{ action: 'lambda:InvokeFunction', resource }];
  if (sub === undefined && m === 'GET') return [{ action: 'lambda:GetFunction', resource }];
  if (sub === 'configuration') return [{ action: 'lambda:GetFunctionConfiguration', resource }];
  return [{ action: `lambda:${m}`, resource }];
}

// --- CloudWatch Logs ---------------------------------------------------------------------------------------

/** Checks for one CloudWatch Logs call (`operation` = the part of X-Amz-Target after the dot). */
export function logsChecks(operation: string, body: Record<string, unknown>, c: ArnContext): CallToCheck[] {
  const action = `logs:${operation}`;
  const group = str(body.logGroupName) ?? str(body.logGroupIdentifier);
  if (!group) return [{ action, resource: '*' }];
  const groupArn = group.startsWith('arn:')
    ? group.replace(/:\*$/, '')
    : arn(c, 'logs', `log-group:${group}`);
  const stream = str(body.logStreamName);
  if (
    stream &&
    (operation === 'PutLogEvents' || operation === 'CreateLogStream' || operation === 'GetLogEvents')
  ) {
    return [{ action, resource: `${groupArn}:log-stream:${stream}` }];
  }
  return [{ action, resource: groupArn }];
}

// --- MSK ---------------------------------------------------------------------------------------------------

/** Checks for one MSK control-plane call (paths /v1/clusters/{arn}/...). */
export function kafkaChecks(req: RestRequest): CallToCheck[] {
  const [, collection, clusterArn, sub] = req.segments;
  if (collection === 'clusters' && clusterArn && sub === 'bootstrap-brokers') {
    return [{ action: 'kafka:GetBootstrapBrokers', resource: clusterArn }];
  }
  if (collection === 'clusters' && clusterArn && sub === undefined) {
    return [{ action: 'kafka:DescribeCluster', resource: clusterArn }];
  }
  return [{ action: `kafka:${req.method.toUpperCase()}`, resource: '*' }];
}
