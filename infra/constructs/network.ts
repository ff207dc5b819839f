/**
 * The VPC: private subnets in two or three zones placed by AZ ID (see infra/availability-zones.ts), no NAT gateway by default, and the VPC endpoints the functions and
 * the event-source mappings need instead of internet egress:
 *
 * | endpoint | type | who needs it |
 * |---|---|---|
 * | DynamoDB | gateway (free) | every function with a table |
 * | S3 | gateway (free) | the serverless-mode topic custom resource (its CloudFormation response URL is S3) |
 * | MSK API (`kafka`) | interface | every publisher and consumer: `GetBootstrapBrokers` for `MSK_CLUSTER_ARN` |
 * | EventBridge Scheduler | interface | the timer consumer (`CreateSchedule` / `DeleteSchedule`) |
 * | Lambda, STS | interface | only ESMs in on-demand mode (provisioned-mode ESMs reach Lambda on their own) |
 *
 * Not needed: CloudWatch Logs (functions log through the Lambda service; metrics are EMF log lines), Secrets
 * Manager (IAM auth, no SCRAM secret), X-Ray (segments are sent by the Lambda service).
 */

import type { RemovalPolicy } from 'aws-cdk-lib';
import { Aws, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface CampusgNetworkProps {
  /** NAT gateways for general egress (adds public subnets). @default 0 */
  readonly natGateways?: number;
  /** Create the Lambda and STS interface endpoints on-demand ESMs need. @default false */
  readonly onDemandEsmEndpoints?: boolean;
  /** Retention of the VPC flow log. */
  readonly flowLogRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export const PRIVATE_SUBNETS = 'Private';

export class CampusgNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly privateSubnets: ec2.SubnetSelection;
  /** Security group of every function. */
  public readonly functionSecurityGroup: ec2.SecurityGroup;
  /** Security group of the brokers (also used by the ESM pollers' ENIs). */
  public readonly clusterSecurityGroup: ec2.SecurityGroup;
  /** Security group of the interface endpoints: HTTPS from the functions and the pollers. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: CampusgNetworkProps) {
    super(scope, id);
    const natGateways = props.natGateways ?? 0;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 3,
      // The zones come from the stack (NetworkStack.availabilityZones: AZ IDs).
      natGateways,
      subnetConfiguration: [
        ...(natGateways > 0 ? [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }] : []),
        {
          name: PRIVATE_SUBNETS,
          subnetType: natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: 20,
        },
      ],
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
      flowLogs: {
        Rejected: {
          trafficType: ec2.FlowLogTrafficType.REJECT,
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogGroup', {
              retention: props.flowLogRetention,
              removalPolicy: props.removalPolicy,
            }),
          ),
        },
      },
    });
    this.privateSubnets = { subnetGroupName: PRIVATE_SUBNETS };
    // The stack's "availability zones" are AZ IDs (see NetworkStack): place each subnet by ID, never by name.
    for (const subnet of [
      ...this.vpc.publicSubnets,
      ...this.vpc.privateSubnets,
      ...this.vpc.isolatedSubnets,
    ]) {
      const cfn = subnet.node.defaultChild as ec2.CfnSubnet;
      cfn.addPropertyDeletionOverride('AvailabilityZone');
      cfn.addPropertyOverride('AvailabilityZoneId', subnet.availabilityZone);
    }

    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'CampusG functions: egress to the brokers and the VPC endpoints',
      allowAllOutbound: true,
    });
    this.clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      description: 'CampusG MSK brokers and event-source-mapping pollers',
      allowAllOutbound: true,
    });
    // Kafka over TLS with IAM auth is port 9098; the ESM pollers use the cluster's own security group.
    this.clusterSecurityGroup.addIngressRule(
      this.functionSecurityGroup,
      ec2.Port.tcp(9098),
      'functions to brokers (IAM/TLS)',
    );
    this.clusterSecurityGroup.addIngressRule(
      this.clusterSecurityGroup,
      ec2.Port.tcp(9098),
      'ESM pollers to brokers (IAM/TLS)',
    );

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'CampusG interface endpoints: HTTPS from the functions and the ESM pollers',
      allowAllOutbound: false,
    });
    // HTTPS from the functions, and from the ESM pollers (cluster security group) for on-demand mode.
    this.endpointSecurityGroup.addIngressRule(
      this.functionSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS from the functions',
    );
    this.endpointSecurityGroup.addIngressRule(
      this.clusterSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS from the ESM pollers',
    );

    const region = Aws.REGION;
    const endpoints: Record<string, ec2.IInterfaceVpcEndpointService> = {
      Kafka: ec2.InterfaceVpcEndpointAwsService.KAFKA,
      Scheduler: new ec2.InterfaceVpcEndpointService(
        Fn.join('', ['com.amazonaws.', region, '.scheduler']),
        443,
      ),
      ...(props.onDemandEsmEndpoints
        ? { Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA, Sts: ec2.InterfaceVpcEndpointAwsService.STS }
        : {}),
    };
    for (const [name, service] of Object.entries(endpoints)) {
      this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: this.privateSubnets,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
        privateDnsEnabled: true,
      });
    }
  }
}
