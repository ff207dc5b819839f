import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { CampusgConfig } from '../config';
import { CampusgNetwork } from '../constructs/network';
import { removalPolicyOf } from './removal';

export interface NetworkStackProps extends StackProps {
  readonly config: CampusgConfig;
}

/** The VPC, its endpoints and the security groups. */
export class NetworkStack extends Stack {
  public readonly network: CampusgNetwork;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.network = new CampusgNetwork(this, 'Network', {
      natGateways: config.natGateways,
      onDemandEsmEndpoints: config.esmMode === 'on-demand',
      flowLogRetention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyOf(config),
    });
  }

  /**
   * Three AZs although the stack is environment-agnostic (CDK assumes two without a region): the first
   * three of the deployment region, resolved by CloudFormation.
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
}
