/**
 * The LocalStack profile (`-c profile=localstack -c localstackEdition=community|base|ultimate`): the same app,
 * minus what the chosen LocalStack edition cannot run. What is dropped there is run by the bridge
 * (`campusg bridge`, local/bridge/) from the full app's cloud assembly instead.
 *
 * | edition | MSK + Kafka ESMs | HTTP API (apigatewayv2) + Cognito | what the profile does |
 * |---|---|---|---|
 * | `ultimate` (also `pro`: the legacy plans) | yes | yes | deploys the app as it is; brokers are plaintext (LocalStack's MSK has no IAM/TLS listener) |
 * | `base` | no | yes | no MSK cluster, topics or ESMs; functions publish to the compose Kafka |
 * | `community` (4.14.0 / free tier) | no | no | as `base`, and no HTTP API, Cognito pool or dashboard; the bridge serves the API |
 *
 * Every edition loses the interface VPC endpoints: Lambda containers reach LocalStack's one endpoint
 * directly, so they would only be resources to emulate. The profile runs after the app is built (it edits
 * the construct tree: removes constructs and overrides properties), so the stacks and constructs stay
 * exactly those of the AWS deployment.
 */
import { CfnOutput, CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct, IConstruct } from 'constructs';
import type { CampusgApp } from '../campusg-app';

export const LOCALSTACK_EDITIONS = ['community', 'base', 'ultimate'] as const;
export type LocalStackEdition = (typeof LOCALSTACK_EDITIONS)[number];

/** What an edition can deploy (LocalStack's "Licensing & Tiers" table). */
export interface LocalStackCapabilities {
  /** Amazon MSK and Lambda event-source mappings for Kafka. */
  readonly msk: boolean;
  /** API Gateway HTTP APIs (apigatewayv2) and Cognito user pools. */
  readonly httpApi: boolean;
}

export const LOCALSTACK_CAPABILITIES: Readonly<Record<LocalStackEdition, LocalStackCapabilities>> = {
  community: { msk: false, httpApi: false },
  base: { msk: false, httpApi: true },
  ultimate: { msk: true, httpApi: true },
};

export interface LocalStackOptions {
  /** `localstackEdition`: `community` (default), `base` or `ultimate` (`pro` is read as `ultimate`). */
  readonly edition: LocalStackEdition;
  /**
   * `localstackKafkaBrokers`: where functions publish when the edition has no MSK: the compose Kafka's
   * listener for containers on the compose network. Default `kafka:19092`.
   */
  readonly kafkaBrokers: string;
}

export const LOCALSTACK_DEFAULTS: LocalStackOptions = { edition: 'community', kafkaBrokers: 'kafka:19092' };

/** Reads and validates the profile's context keys; throws one error listing every problem. */
export function readLocalStackOptions(scope: Construct): LocalStackOptions {
  const problems: string[] = [];
  const rawEdition = scope.node.tryGetContext('localstackEdition');
  let edition = LOCALSTACK_DEFAULTS.edition;
  if (rawEdition !== undefined && rawEdition !== null && rawEdition !== '') {
    const value = rawEdition === 'pro' ? 'ultimate' : rawEdition;
    if ((LOCALSTACK_EDITIONS as readonly unknown[]).includes(value)) edition = value as LocalStackEdition;
    else {
      problems.push(
        `localstackEdition must be one of ${LOCALSTACK_EDITIONS.join(', ')} (or pro), got ${JSON.stringify(rawEdition)}`,
      );
    }
  }
  const rawBrokers = scope.node.tryGetContext('localstackKafkaBrokers');
  let kafkaBrokers = LOCALSTACK_DEFAULTS.kafkaBrokers;
  if (rawBrokers !== undefined && rawBrokers !== null && rawBrokers !== '') {
    const list = String(rawBrokers).split(',');
    if (list.every((b) => /^[^\s:,]+:\d{1,5}$/.test(b.trim())))
      kafkaBrokers = list.map((b) => b.trim()).join(',');
    else
      problems.push(
        `localstackKafkaBrokers must be host:port[,host:port...], got ${JSON.stringify(rawBrokers)}`,
      );
  }
  if (problems.length > 0) {
    throw new Error(`invalid CampusG LocalStack context (-c):\n  - ${problems.join('\n  - ')}`);
  }
  return { edition, kafkaBrokers };
}

/** What the profile removed or changed, by construct path, with the reason (printed by synth, asserted by tests). */
export interface LocalStackProfileReport {
  readonly edition: LocalStackEdition;
  readonly capabilities: LocalStackCapabilities;
  readonly dropped: readonly { readonly path: string; readonly reason: string }[];
}

const APPLIED = Symbol.for('campusg.localstack-profile');

function remove(child: IConstruct, reason: string, dropped: { path: string; reason: string }[]): void {
  const parent = child.node.scope;
  if (!parent) return;
  dropped.push({ path: child.node.path, reason });
  parent.node.tryRemoveChild(child.node.id);
}

function childrenOf<T>(scope: IConstruct, is: (c: IConstruct) => c is T & IConstruct): (T & IConstruct)[] {
  return scope.node.findAll().filter(is);
}

function isKafkaAction(action: string): boolean {
  return action.startsWith('kafka:') || action.startsWith('kafka-cluster:');
}

/**
 * Rewrites every IAM policy of `stack` without its Kafka statements (MSK IAM access and the ESM's own): they
 * name the MSK cluster, which this edition does not have. The rest of each document is kept as written, tokens
 * and all, so cross-stack references (table ARNs) still resolve.
 */
function stripKafkaStatements(stack: Stack): number {
  let stripped = 0;
  for (const policy of childrenOf(stack, (c): c is iam.Policy => c instanceof iam.Policy)) {
    const doc = policy.document.toJSON() as
      | { Version?: string; Statement?: Record<string, unknown>[] }
      | undefined;
    const statements = doc?.Statement ?? [];
    const kept = statements.filter((s) => {
      const actions = ([] as unknown[]).concat(s.Action ?? []).map(String);
      return !(actions.length > 0 && actions.every(isKafkaAction));
    });
    if (kept.length === statements.length) continue;
    stripped += statements.length - kept.length;
    // Replaced at the source (not with an override): tokens of the dropped statements must not even be
    // visited, or CDK would still export the cluster ARN from the messaging stack.
    (policy.node.defaultChild as iam.CfnPolicy).policyDocument = { ...doc, Statement: kept };
  }
  return stripped;
}

/**
 * Applies the LocalStack profile to a built app (idempotent). Call it before `app.synth()`, after every
 * construct exists: `infra/app.ts` does when the `profile` context is `localstack`.
 */
export function applyLocalStackProfile(
  built: CampusgApp,
  options: LocalStackOptions = readLocalStackOptions(built.app),
): LocalStackProfileReport {
  const marked = built.app as unknown as Record<symbol, LocalStackProfileReport | undefined>;
  const already = marked[APPLIED];
  if (already) return already;

  const capabilities = LOCALSTACK_CAPABILITIES[options.edition];
  const dropped: { path: string; reason: string }[] = [];
  const { network, messaging, services, observability } = built;

  // Interface endpoints (Kafka, Scheduler, Lambda, STS): nothing in LocalStack routes through them.
  for (const endpoint of childrenOf(
    network,
    (c): c is ec2.InterfaceVpcEndpoint => c instanceof ec2.InterfaceVpcEndpoint,
  )) {
    remove(endpoint, 'interface VPC endpoints: Lambda containers reach LocalStack directly', dropped);
  }

  if (capabilities.msk) {
    // LocalStack's MSK brokers listen in plaintext without IAM: keep the cluster ARN, change the client auth.
    for (const fn of services.functions) {
      if (fn.spec.publishes.length + fn.spec.consumes.length === 0) continue;
      fn.addEnvironment('KAFKA_AUTH', 'none');
      fn.addEnvironment('KAFKA_TLS', 'false');
    }
  } else {
    const mskReason = `MSK and Kafka event-source mappings are not in LocalStack ${options.edition}; the bridge runs the mappings against the compose Kafka`;
    for (const id of ['Kafka', 'Topics', 'ClusterArn', 'ClusterMode', 'BrokerLogGroupName']) {
      const child = messaging.node.tryFindChild(id);
      if (child) remove(child, mskReason, dropped);
    }
    for (const consumer of services.consumers) {
      for (const esm of childrenOf(
        consumer,
        (c): c is lambda.EventSourceMapping => c instanceof lambda.EventSourceMapping,
      )) {
        remove(esm, mskReason, dropped);
      }
    }
    for (const fn of services.functions) {
      if (fn.spec.publishes.length + fn.spec.consumes.length === 0) continue;
      // Overwritten first so the cluster ARN token is gone at the source, then left out of the template.
      fn.addEnvironment('MSK_CLUSTER_ARN', '');
      (fn.node.defaultChild as lambda.CfnFunction).addPropertyDeletionOverride(
        'Environment.Variables.MSK_CLUSTER_ARN',
      );
      fn.addEnvironment('KAFKA_BROKERS', options.kafkaBrokers);
      fn.addEnvironment('KAFKA_AUTH', 'none');
      fn.addEnvironment('KAFKA_TLS', 'false');
    }
    if (stripKafkaStatements(services) > 0) {
      dropped.push({
        path: `${services.node.path}/*/DefaultPolicy`,
        reason: `${mskReason} (their IAM statements name the cluster)`,
      });
    }
  }

  if (!capabilities.httpApi) {
    const apiReason = `API Gateway HTTP APIs and Cognito user pools are not in LocalStack ${options.edition}; the bridge serves the routes`;
    remove(services.api, apiReason, dropped);
    for (const permission of childrenOf(
      services,
      (c): c is lambda.CfnPermission => c instanceof lambda.CfnPermission,
    )) {
      if (permission.principal === 'apigateway.amazonaws.com') remove(permission, apiReason, dropped);
    }
    for (const id of ['ApiUrl', 'JwtIssuer', 'UserPoolId', 'UserPoolClientId', 'ApiAccessLogGroupName']) {
      const child = services.node.tryFindChild(id);
      if (child instanceof CfnOutput) remove(child, apiReason, dropped);
    }
    // The dashboard and alarms watch the HTTP API and the ESMs, neither of which exists here.
    for (const child of [...observability.node.children]) {
      remove(child, `${apiReason}; the dashboard and alarms watch it and the ESMs`, dropped);
    }
  }

  for (const stack of [messaging, observability]) {
    if (stack.node.findAll().some((c) => c instanceof CfnResource)) continue;
    Validations.of(stack).acknowledge({
      id: 'CloudFormation-Validate::F0001',
      reason: `LocalStack ${options.edition} profile: everything in this stack is dropped; cdk deploy skips a stack without resources`,
    });
  }

  const report: LocalStackProfileReport = { edition: options.edition, capabilities, dropped };
  marked[APPLIED] = report;
  return report;
}
