/**
 * Builds the CampusG cloud app: five environment-agnostic stacks composed from the constructs, with the
 * cdk-nag AWS Solutions and Serverless rule packs as validation plugins, so synthesis fails on any
 * finding that is not acknowledged (with its reason) next to the construct it concerns.
 *
 * | stack | holds |
 * |---|---|
 * | `CampusG-<stage>-Network` | VPC (2-3 AZs by AZ ID, private subnets), endpoints, security groups |
 * | `CampusG-<stage>-Messaging` | MSK cluster (provisioned or serverless) and topics |
 * | `CampusG-<stage>-Data` | DynamoDB tables |
 * | `CampusG-<stage>-Services` | functions, event-source mappings, timer, HTTP API, log shipping |
 * | `CampusG-<stage>-Observability` | dashboard, alarms, the SNS topic they notify |
 *
 * Every value one stack imports from another is also exported explicitly by its producer (stacks/exports.ts),
 * so a consumer that stops importing never trips "Export ... cannot be deleted as it is in use".
 */
import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { TOPICS } from '../shared/topology';
import { Names } from './catalogue';
import { type CampusgConfig, readConfig } from './config';
import { DataStack } from './stacks/data-stack';
import { MessagingStack } from './stacks/messaging-stack';
import { NetworkStack } from './stacks/network-stack';
import { ObservabilityStack } from './stacks/observability-stack';
import { ServicesStack } from './stacks/services-stack';
import { enforceTopicLock } from './topic-lock';

export interface CampusgApp {
  readonly app: App;
  readonly config: CampusgConfig;
  readonly network: NetworkStack;
  readonly messaging: MessagingStack;
  readonly data: DataStack;
  readonly services: ServicesStack;
  readonly observability: ObservabilityStack;
}

export interface BuildOptions extends AppProps {
  /** Register the cdk-nag rule packs. @default true */
  readonly nag?: boolean;
  /**
   * The topic lock file (infra/topic-lock.ts): refuse topic changes a live stage cannot take, record the
   * allowed ones. infra/app.ts passes `infra/topic-lock.json`. @default no lock (tests)
   */
  readonly topicLockFile?: string;
  /** Where notes such as "lock file updated" go. @default stderr */
  readonly note?: (line: string) => void;
}

export function buildApp(options: BuildOptions = {}): CampusgApp {
  const { nag = true, topicLockFile, note = (l) => process.stderr.write(`${l}\n`), ...appProps } = options;
  const app = new App({
    ...appProps,
    context: {
      // Cross-stack references (cluster ARN, subnets, table ARNs) keep protecting their producers.
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      ...appProps.context,
    },
  });
  const config = readConfig(app);
  const names = new Names(config.stage);
  if (topicLockFile && config.profile === 'aws') {
    const written = enforceTopicLock(topicLockFile, config.stage, {
      clusterMode: config.clusterMode,
      ...(config.clusterMode === 'provisioned' ? { replicationFactor: config.replicationFactor } : {}),
      partitions: Object.fromEntries(TOPICS.map((t) => [t.name, t.partitions])),
    });
    if (written) note(written);
  }

  const network = new NetworkStack(app, names.stackName('Network'), {
    config,
    description: 'CampusG network: VPC across 2-3 AZs (by AZ ID), VPC endpoints, security groups',
  });
  const messaging = new MessagingStack(app, names.stackName('Messaging'), {
    config,
    clusterName: names.clusterName,
    network: network.network,
    description: `CampusG messaging: MSK ${config.clusterMode} cluster and topics`,
  });
  const data = new DataStack(app, names.stackName('Data'), {
    config,
    names,
    description: 'CampusG data: DynamoDB tables of the services',
  });
  const services = new ServicesStack(app, names.stackName('Services'), {
    config,
    names,
    network: network.network,
    kafka: messaging.cluster.ref,
    tables: data.tables,
    description: 'CampusG services: Lambda consumers on MSK, timer, HTTP API, log shipping',
  });
  services.addStackDependency(messaging, 'topics exist before the event-source mappings read them');
  const observability = new ObservabilityStack(app, names.stackName('Observability'), {
    names,
    apiId: services.api.httpApi.apiId,
    mappings: services.mappings,
    clusterName: names.clusterName,
    clusterMode: config.clusterMode,
    brokerCount: config.brokerCount,
    alarmEmail: config.alarmEmail,
    description: 'CampusG observability: dashboard, alarms and the alarm topic',
  });

  Tags.of(app).add('project', 'campusg');
  Tags.of(app).add('stage', config.stage);
  Tags.of(app).add('profile', config.profile);

  if (nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  }
  return { app, config, network, messaging, data, services, observability };
}
