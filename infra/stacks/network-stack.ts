import { Aws, CfnMapping, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULT_AZ_IDS } from '../availability-zones';
import type { CampusgConfig } from '../config';
import { CampusgNetwork } from '../constructs/network';
import { pinExports } from './exports';
import { removalPolicyOf } from './removal';

export interface NetworkStackProps extends StackProps {
  readonly config: CampusgConfig;
}

/** The VPC, its endpoints and the security groups. */
export class NetworkStack extends Stack {
  public readonly network: CampusgNetwork;
  /** The AZ IDs of the subnets: literals from `availabilityZoneIds`, else tokens resolved per region. */
  private azIds: string[] = [];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.availabilityZoneIds.length > 0) {
      this.azIds = [...config.availabilityZoneIds];
    } else {
      const mapping = new CfnMapping(this, 'AvailabilityZoneIds', {
        mapping: Object.fromEntries(Object.entries(DEFAULT_AZ_IDS).map(([r, ids]) => [r, { Ids: [...ids] }])),
      });
      const ids = mapping.findInMap(Aws.REGION, 'Ids') as unknown as string;
      this.azIds = [0, 1, 2].map((i) => Fn.select(i, ids as unknown as string[]));
    }
    this.network = new CampusgNetwork(this, 'Network', {
      natGateways: config.natGateways,
      onDemandEsmEndpoints: config.esmMode === 'on-demand',
      flowLogRetention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: removalPolicyOf(config),
    });
    // Pinned: the messaging and services stacks import these (stacks/exports.ts).
    pinExports(this, config, [
      ...this.network.vpc.selectSubnets(this.network.privateSubnets).subnetIds,
      this.network.clusterSecurityGroup.securityGroupId,
      this.network.functionSecurityGroup.securityGroupId,
    ]);
  }

  /**
   * The zones the VPC spreads over, as AZ IDs (CampusgNetwork puts them in the subnets' `AvailabilityZoneId`):
   * the stack is environment-agnostic, so CDK cannot look zones up, and AZ names differ per account.
   */
  override get availabilityZones(): string[] {
    return this.azIds;
  }
}
