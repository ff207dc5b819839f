/**
 * Template test of CampusgNetwork on a bare stack: isolated private subnets placed by AZ ID, no NAT by
 * default, the gateway and interface endpoints, the security groups and their rules (Kafka IAM/TLS 9098
 * from the functions and the pollers, HTTPS to the endpoints), and the rejected-traffic flow log.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CampusgNetwork, type CampusgNetworkProps } from '#infra/constructs/network';
import { bareStack } from '#test/support/cdk-stack';

function synth(props: Partial<CampusgNetworkProps> = {}) {
  const stack = bareStack();
  new CampusgNetwork(stack, 'Network', {
    flowLogRetention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
    ...props,
  });
  return Template.fromStack(stack);
}

const endpointServices = (t: Template) =>
  Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((e) =>
    JSON.stringify(e.Properties.ServiceName),
  );

describe('CampusgNetwork by default', () => {
  const t = synth();

  it('is one VPC of isolated subnets placed by AZ ID, without NAT or internet gateway', () => {
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.allResourcesProperties('AWS::EC2::Subnet', {
      AvailabilityZone: Match.absent(),
      AvailabilityZoneId: Match.anyValue(),
      MapPublicIpOnLaunch: false,
    });
  });

  it('reaches DynamoDB and S3 through gateways and Kafka and Scheduler through private interfaces', () => {
    const services = endpointServices(t);
    expect(services).toHaveLength(4);
    expect(services.join()).toMatch(/dynamodb/);
    expect(services.join()).toMatch(/\.s3/);
    expect(services.join()).toMatch(/kafka/);
    expect(services.join()).toMatch(/scheduler/);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SecurityGroupIds: [
        { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkEndpointSecurityGroup'), 'GroupId'] },
      ],
    });
  });

  it('opens Kafka IAM/TLS to the functions and the pollers, and HTTPS to the endpoints', () => {
    const rules = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => ({
      port: r.Properties.FromPort,
      to: r.Properties.GroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''),
      from: r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''),
    }));
    expect(rules).toEqual(
      expect.arrayContaining([
        { port: 9098, to: 'NetworkClusterSecurityGroup', from: 'NetworkFunctionSecurityGroup' },
        { port: 9098, to: 'NetworkClusterSecurityGroup', from: 'NetworkClusterSecurityGroup' },
        { port: 443, to: 'NetworkEndpointSecurityGroup', from: 'NetworkFunctionSecurityGroup' },
        { port: 443, to: 'NetworkEndpointSecurityGroup', from: 'NetworkClusterSecurityGroup' },
      ]),
    );
    expect(rules).toHaveLength(4);
  });

  it('logs rejected traffic to a log group with the given retention', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('CampusgNetwork with NAT and on-demand ESM endpoints', () => {
  const t = synth({ natGateways: 1, onDemandEsmEndpoints: true });

  it('adds public subnets with one NAT gateway, and the Lambda and STS endpoints', () => {
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    const services = endpointServices(t).join();
    expect(endpointServices(t)).toHaveLength(6);
    expect(services).toMatch(/lambda/);
    expect(services).toMatch(/sts/);
  });
});
