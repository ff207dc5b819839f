/**
 * `AWS::Lambda::Function` -> a `LocalFunction`: the bundle in cdk.out (`aws:asset:path` metadata), handler,
 * resolved environment, log group, limits. Inline-code functions (CDK's custom-resource providers) have no
 * bundle to run and are skipped.
 */
import * as path from 'node:path';
import type { CfnResource } from '../intrinsics';
import type { ResourceReader } from './types';
import { asNumber } from './values';

export const TYPE = 'AWS::Lambda::Function';

export const read: ResourceReader = ({ stack, logicalId, resource: res, resolver: r, at }, model) => {
  const props = res.Properties ?? {};
  const assetRel = res.Metadata?.['aws:asset:path'];
  if (typeof assetRel !== 'string') {
    // Inline code (custom resource providers and the like) has no bundle to run locally.
    if ((props.Code as Record<string, unknown> | undefined)?.ZipFile !== undefined) return;
    throw new Error(`function ${logicalId} in ${stack.stackName} has no aws:asset:path metadata`);
  }
  const functionName = r.ref(logicalId);
  const env = (r.resolve(
    (props.Environment as Record<string, unknown> | undefined)?.Variables ?? {},
    at('Environment'),
  ) ?? {}) as Record<string, unknown>;
  const logging = r.resolve(props.LoggingConfig ?? {}, at('LoggingConfig')) as Record<string, unknown>;
  model.functions.push({
    logicalId,
    constructId: lastConstructId(logicalId, res),
    functionName,
    arn: r.getAtt(logicalId, 'Arn'),
    assetPath: path.resolve(stack.dir, assetRel),
    handler: props.Handler !== undefined ? r.resolveString(props.Handler, at('Handler')) : 'index.handler',
    environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
    logGroupName: typeof logging.LogGroup === 'string' ? logging.LogGroup : `/aws/lambda/${functionName}`,
    timeoutSeconds: asNumber(r.resolve(props.Timeout), 3),
    memoryMb: asNumber(r.resolve(props.MemorySize), 128),
    runtime: props.Runtime !== undefined ? r.resolveString(props.Runtime) : undefined,
    logFormat: logging.LogFormat === 'JSON' ? 'JSON' : 'Text',
  });
};

/** The construct id from the `aws:cdk:path` metadata (`.../OrderApiFunction/Resource` -> `OrderApiFunction`). */
function lastConstructId(logicalId: string, res: CfnResource): string {
  const cdkPath = res.Metadata?.['aws:cdk:path'];
  if (typeof cdkPath === 'string') {
    const parts = cdkPath.split('/').slice(1);
    while (parts.length > 1 && (parts.at(-1) === 'Resource' || parts.at(-1) === 'Default')) parts.pop();
    if (parts.length > 0) return parts.at(-1)!;
  }
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}
