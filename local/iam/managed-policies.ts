/**
 * AWS managed policies the templates attach to execution roles, as known documents: the local runtime has
 * no IAM service to ask, so their statements are written here (from the AWS Managed Policy Reference,
 * default versions as of 2026). A role that attaches an AWS managed policy not listed here gets no
 * permissions from it locally, and the runtime says so once when it starts, naming the policy.
 */

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
}

const LOGS_WRITE = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

/** Keyed by the path after `arn:<partition>:iam::aws:policy/`. */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  // v1
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: LOGS_WRITE, Resource: '*' }],
  },
  // v3 (January 2024)
  'service-role/AWSLambdaVPCAccessExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSLambdaVPCAccessExecutionPermissions',
        Effect: 'Allow',
        Action: [
          ...LOGS_WRITE,
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      },
    ],
  },
  // v2 (August 2022)
  'service-role/AWSLambdaMSKExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'kafka:DescribeCluster',
          'kafka:DescribeClusterV2',
          'kafka:GetBootstrapBrokers',
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
          ...LOGS_WRITE,
        ],
        Resource: '*',
      },
    ],
  },
};

/** The document of an AWS managed policy ARN, or undefined when it is not an AWS one or not known here. */
export function awsManagedPolicy(arn: string): PolicyDocument | undefined {
  const m = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn);
  return m ? AWS_MANAGED_POLICIES[m[1]!] : undefined;
}

export function isAwsManagedPolicyArn(arn: string): boolean {
  return /^arn:aws[a-z-]*:iam::aws:policy\//.test(arn);
}
