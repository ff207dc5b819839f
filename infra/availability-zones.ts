/**
 * Availability zones by AZ ID, the one name that means the same physical zone in every account.
 *
 * AZ names (`us-east-1a`) are shuffled per account, so "the first three AZ names" can land on a zone MSK
 * refuses: client subnets cannot be in `use1-az3` (AWS::MSK::Cluster BrokerNodeGroupInfo.ClientSubnets), and
 * in US West (N. California) standard brokers take exactly two subnets. The stacks are environment-agnostic,
 * so nothing can be looked up at synth time: subnets carry `AvailabilityZoneId` (a property of
 * AWS::EC2::Subnet), either from `-c availabilityZoneIds=...` or from the region's entry in
 * `DEFAULT_AZ_IDS`, resolved by CloudFormation with Fn::FindInMap. `checkAzIds` holds the rules known
 * today; `campusg preflight --target aws` checks the account's real zones against the same rules.
 */

/** Zones MSK refuses for client subnets (AWS::MSK::Cluster BrokerNodeGroupInfo.ClientSubnets). */
export const MSK_REJECTED_AZ_IDS: readonly string[] = ['use1-az3'];

/** Regions where MSK standard brokers take exactly two client subnets (MSK developer guide, "Create a cluster"). */
export const TWO_SUBNET_REGIONS: Readonly<Record<string, string>> = { usw1: 'us-west-1' };

/**
 * Three zones per region that MSK, Lambda and the interface endpoints all accept, by AZ ID. Only regions
 * listed here deploy without `availabilityZoneIds`; elsewhere CloudFormation stops at Fn::FindInMap before
 * creating anything, and `campusg preflight --target aws` says which IDs the region has.
 */
export const DEFAULT_AZ_IDS: Readonly<Record<string, readonly [string, string, string]>> = {
  'us-east-1': ['use1-az1', 'use1-az2', 'use1-az4'],
  'us-east-2': ['use2-az1', 'use2-az2', 'use2-az3'],
  'us-west-2': ['usw2-az1', 'usw2-az2', 'usw2-az3'],
  'eu-west-1': ['euw1-az1', 'euw1-az2', 'euw1-az3'],
  'eu-central-1': ['euc1-az1', 'euc1-az2', 'euc1-az3'],
};

const AZ_ID = /^([a-z]{2,4}\d)-az(\d+)$/;

/**
 * Problems with a list of AZ IDs for the cluster's client subnets (empty when fine). `brokerCount` must
 * spread evenly: MSK puts the same number of brokers in each subnet.
 */
export function checkAzIds(ids: readonly string[], brokerCount?: number): string[] {
  const problems: string[] = [];
  const bad = ids.filter((id) => !AZ_ID.test(id));
  if (bad.length > 0) {
    problems.push(`availabilityZoneIds must be AZ IDs such as use1-az1, got ${bad.join(', ')}`);
    return problems;
  }
  if (ids.length < 2 || ids.length > 3) {
    problems.push(`availabilityZoneIds must name 2 or 3 zones (MSK client subnets), got ${ids.length}`);
  }
  if (new Set(ids).size !== ids.length)
    problems.push(`availabilityZoneIds repeats a zone: ${ids.join(', ')}`);
  const prefixes = new Set(ids.map((id) => AZ_ID.exec(id)![1]!));
  if (prefixes.size > 1) {
    problems.push(
      `availabilityZoneIds mixes regions (${[...prefixes].join(', ')}); name zones of one region`,
    );
  }
  for (const id of ids) {
    if (MSK_REJECTED_AZ_IDS.includes(id)) {
      problems.push(`${id} cannot hold MSK client subnets (MSK refuses it); pick another zone of the region`);
    }
  }
  const [prefix] = prefixes;
  if (prefix && TWO_SUBNET_REGIONS[prefix] && ids.length !== 2) {
    problems.push(
      `${TWO_SUBNET_REGIONS[prefix]} allows exactly two MSK client subnets; give two zones, e.g. ${prefix}-az1,${prefix}-az3`,
    );
  }
  if (brokerCount !== undefined && ids.length >= 2 && brokerCount % ids.length !== 0) {
    problems.push(`brokerCount (${brokerCount}) must be a multiple of the ${ids.length} zones`);
  }
  return problems;
}
