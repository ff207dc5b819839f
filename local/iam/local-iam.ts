/**
 * Local IAM for the runtime in one object: reads the execution roles from the assembly, issues each
 * function its own credentials, and hands the runtime the pieces to wire: the function environment
 * (credentials, and the MSK IAM Kafka path when the embedded broker serves SASL), the AWS API
 * authorizer, the DynamoDB proxy, the broker's SASL + authorizer options and the ESM's per-function SASL.
 * Mode `enforce` refuses what AWS would refuse, `warn` lets it through and prints the same line, `off`
 * builds nothing (runtime.ts then keeps the unchecked setup).
 */
import type { SASLOptions } from 'kafkajs';
import type { RequestAuthorizer } from '#local/aws-api/http';
import type { Authorizer } from '#local/kafka-broker/authorizer';
import type { SaslOptions } from '#local/kafka-broker/sasl/types';
import type { ArnContext } from './actions';
import { awsApiAuthorizer } from './aws-api-authorizer';
import { LocalCredentials } from './credentials';
import { type DynamoDbProxy, startDynamoDbProxy } from './dynamodb-proxy';
import { IamEvaluator } from './evaluator';
import { type Denial, IamGuard, type IamMode } from './guard';
import { kafkaAuthorizer, mskIamSasl } from './kafka-authorizer';
import { type ExecutionRole, readExecutionRoles } from './roles';

export interface LocalIamOptions {
  readonly mode: Exclude<IamMode, 'off'>;
  readonly assemblyDir: string;
  readonly region: string;
  readonly accountId: string;
  /** The MSK cluster ARN the template's policies resolve to locally. */
  readonly clusterArn: string;
  /** One line per refused (or, in warn mode, would-be refused) call; the runtime prefixes `[iam]`. */
  readonly report: (line: string, denial?: Denial) => void;
}

export class LocalIam {
  readonly guard: IamGuard;
  readonly credentials = new LocalCredentials();
  readonly roles: ReadonlyMap<string, ExecutionRole>;
  private readonly arns: ArnContext;

  constructor(private readonly options: LocalIamOptions) {
    this.roles = readExecutionRoles({
      assemblyDir: options.assemblyDir,
      region: options.region,
      accountId: options.accountId,
    });
    for (const name of this.roles.keys()) this.credentials.issue(name);
    this.arns = { region: options.region, accountId: options.accountId };
    this.guard = new IamGuard({
      mode: options.mode,
      roles: this.roles,
      credentials: this.credentials,
      evaluator: new IamEvaluator(options.region),
      report: options.report,
    });
  }

  get mode(): Exclude<IamMode, 'off'> {
    return this.options.mode;
  }

  /** Calls refused (enforce) or reported (warn) so far. */
  get denials(): readonly Denial[] {
    return this.guard.denials;
  }

  /** One line per managed policy the runtime cannot know (its permissions are missing locally). */
  warnings(): string[] {
    const out: string[] = [];
    for (const role of this.roles.values()) {
      for (const arn of role.unknownManagedPolicies) {
        out.push(
          `${role.functionName}: managed policy ${arn} is not known locally; its permissions are not granted (local/iam/managed-policies.ts)`,
        );
      }
    }
    return out;
  }

  /**
   * The variables of a function's environment under local IAM: its own credentials and, with `kafka`,
   * the AWS code path for Kafka (MSK_CLUSTER_ARN -> GetBootstrapBrokers at the local AWS API -> MSK IAM
   * OAUTHBEARER on the broker's SASL listener, TLS off) instead of the plaintext KAFKA_BROKERS shortcut.
   */
  functionEnvironment(
    functionName: string,
    base: Readonly<Record<string, string>>,
    kafka?: { readonly awsEndpoint: string },
  ): Record<string, string> {
    const env: Record<string, string> = { ...base };
    if (this.roles.has(functionName)) Object.assign(env, this.credentials.environment(functionName));
    if (kafka) {
      delete env.KAFKA_BROKERS;
      env.KAFKA_AUTH = 'iam';
      env.KAFKA_TLS = 'false';
      env.AWS_ENDPOINT_URL_KAFKA = kafka.awsEndpoint;
    }
    return env;
  }

  awsApiAuthorizer(): RequestAuthorizer {
    return awsApiAuthorizer(this.guard, this.arns);
  }

  /** An IAM-checking proxy in front of a DynamoDB endpoint; functions get its endpoint. */
  startDynamoDbProxy(target: string, host?: string): Promise<DynamoDbProxy> {
    return startDynamoDbProxy({ target, guard: this.guard, arns: this.arns, host });
  }

  /** SASL (a second listener, MSK IAM OAUTHBEARER) and the authorizer for the embedded broker. */
  brokerOptions(saslPort = 0): { sasl: SaslOptions; authorizer: Authorizer } {
    return {
      sasl: mskIamSasl(this.guard, this.credentials, this.options.clusterArn, { port: saslPort }),
      authorizer: kafkaAuthorizer(this.guard, this.options.clusterArn),
    };
  }

  /** kafkajs SASL for the ESM of a function: MSK IAM tokens signed with that function's credentials. */
  esmSasl(functionName: string): SASLOptions | undefined {
    if (!this.roles.has(functionName)) return undefined;
    const c = this.credentials.issue(functionName);
    const region = this.options.region;
    return {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const signer: typeof import('aws-msk-iam-sasl-signer-js') = require('aws-msk-iam-sasl-signer-js');
        const { token } = await signer.generateAuthTokenFromCredentialsProvider({
          region,
          awsCredentialsProvider: async () => ({
            accessKeyId: c.accessKeyId,
            secretAccessKey: c.secretAccessKey,
            sessionToken: c.sessionToken,
          }),
        });
        return { value: token };
      },
    };
  }
}
