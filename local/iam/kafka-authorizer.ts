/**
 * Kafka under local IAM: functions authenticate to the embedded broker's SASL listener with the MSK IAM
 * OAUTHBEARER token that `aws-msk-iam-sasl-signer-js` makes from their own credentials (the code path
 * that runs in Lambda), the token is verified with the secret the runtime issued, and
 * `kafka-cluster:Connect` on the cluster is checked then. Every later operation is checked by the
 * broker's authorizer against the function's role, with the MSK actions and ARNs AWS uses:
 *
 *   Kafka ACL (broker)     MSK IAM action                           resource
 *   Write topic            kafka-cluster:WriteData                  topic/<cluster>/<uuid>/<topic>
 *   Read topic             kafka-cluster:ReadData                   topic
 *   Describe topic         kafka-cluster:DescribeTopic              topic
 *   Create / Delete / Alter topic   kafka-cluster:CreateTopic / DeleteTopic / AlterTopic
 *   DescribeConfigs / AlterConfigs topic   kafka-cluster:DescribeTopicDynamicConfiguration / AlterTopicDynamicConfiguration
 *   Read group             kafka-cluster:AlterGroup                 group/<cluster>/<uuid>/<group>
 *   Describe group         kafka-cluster:DescribeGroup              group
 *   Delete group           kafka-cluster:DeleteGroup                group
 *   Describe cluster       kafka-cluster:DescribeCluster            cluster/<cluster>/<uuid>
 *   Alter / AlterConfigs / DescribeConfigs cluster   kafka-cluster:AlterCluster / AlterClusterDynamicConfiguration / DescribeClusterDynamicConfiguration
 *
 * Clients on the plaintext listener (the CLI, kcat, tests, the runtime's own consumers) are the
 * `ANONYMOUS` operator and are not checked.
 */
import type { AclOperation, AclResource, Authorizer } from '#local/kafka-broker/authorizer';
import { verifyMskIamToken } from '#local/kafka-broker/sasl/msk-iam';
import { ANONYMOUS, type SaslOptions } from '#local/kafka-broker/sasl/types';
import type { LocalCredentials } from './credentials';
import type { IamGuard } from './guard';

const TOPIC_ACTIONS: Partial<Record<AclOperation, string>> = {
  Write: 'kafka-cluster:WriteData',
  Read: 'kafka-cluster:ReadData',
  Describe: 'kafka-cluster:DescribeTopic',
  Create: 'kafka-cluster:CreateTopic',
  Delete: 'kafka-cluster:DeleteTopic',
  Alter: 'kafka-cluster:AlterTopic',
  DescribeConfigs: 'kafka-cluster:DescribeTopicDynamicConfiguration',
  AlterConfigs: 'kafka-cluster:AlterTopicDynamicConfiguration',
};
const GROUP_ACTIONS: Partial<Record<AclOperation, string>> = {
  Read: 'kafka-cluster:AlterGroup',
  Describe: 'kafka-cluster:DescribeGroup',
  Delete: 'kafka-cluster:DeleteGroup',
};
const CLUSTER_ACTIONS: Partial<Record<AclOperation, string>> = {
  Describe: 'kafka-cluster:DescribeCluster',
  Alter: 'kafka-cluster:AlterCluster',
  AlterConfigs: 'kafka-cluster:AlterClusterDynamicConfiguration',
  DescribeConfigs: 'kafka-cluster:DescribeClusterDynamicConfiguration',
  Create: 'kafka-cluster:CreateTopic',
};

/** The MSK IAM action and resource ARN of a Kafka ACL check, for the cluster `clusterArn`. */
export function mskIamCall(
  clusterArn: string,
  operation: AclOperation,
  resource: AclResource,
): { action: string; resource: string } {
  // arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>
  const m = /^(arn:[^:]+:kafka:[^:]*:[^:]*:)cluster\/([^/]+)\/([^/]+)$/.exec(clusterArn);
  if (!m)
    throw new Error(
      `${clusterArn} is not an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)`,
    );
  const [, prefix, name, uuid] = m;
  if (resource.type === 'cluster') {
    return {
      action: CLUSTER_ACTIONS[operation] ?? `kafka-cluster:${operation}Cluster`,
      resource: clusterArn,
    };
  }
  const table = resource.type === 'topic' ? TOPIC_ACTIONS : GROUP_ACTIONS;
  return {
    action: table[operation] ?? `kafka-cluster:${operation}${resource.type === 'topic' ? 'Topic' : 'Group'}`,
    resource: `${prefix}${resource.type}/${name}/${uuid}/${resource.name}`,
  };
}

/** The broker's authorizer: functions (SASL principals) are checked against their roles. */
export function kafkaAuthorizer(guard: IamGuard, clusterArn: string): Authorizer {
  return {
    authorize(principal, operation, resource) {
      if (principal === ANONYMOUS || !guard.role(principal)) return true;
      return guard.allowsSync(principal, mskIamCall(clusterArn, operation, resource));
    },
  };
}

/**
 * SASL for the functions' listener: OAUTHBEARER with MSK IAM tokens signed by the runtime-issued
 * credentials; the principal is the function name. A token of a function whose role lacks
 * `kafka-cluster:Connect` is refused, as MSK refuses it.
 */
export function mskIamSasl(
  guard: IamGuard,
  credentials: LocalCredentials,
  clusterArn: string,
  listener: SaslOptions['listener'] = { port: 0 },
): SaslOptions {
  return {
    mechanisms: ['OAUTHBEARER'],
    listener,
    async oauthBearer(token) {
      const principal = verifyMskIamToken(token, {
        secretFor(accessKeyId) {
          const issued = credentials.find(accessKeyId);
          return issued
            ? { secretAccessKey: issued.secretAccessKey, principal: issued.functionName }
            : undefined;
        },
      });
      if (!guard.allowsSync(principal, { action: 'kafka-cluster:Connect', resource: clusterArn })) {
        throw new Error(`${principal} is not authorized to perform kafka-cluster:Connect on ${clusterArn}`);
      }
      return principal;
    },
  };
}
