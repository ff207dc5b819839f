import { Match } from 'aws-cdk-lib/assertions';
import { resourcesOf, type Synthesized, synthesize } from '#test/support/cdk-app';

const serviceOf = (endpoint: Record<string, any>) =>
  (endpoint.Properties.ServiceName['Fn::Join'][1] as unknown[]).at(-1) as string;

describe('NetworkStack', () => {
  let app: Synthesized;
  beforeAll(() => {
    app = synthesize();
  });

  it('spreads three private isolated subnets over three zones (by AZ ID) without NAT gateways', () => {
    const t = app.templates.network;
    const subnets = resourcesOf(t, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(3);
    expect(subnets.map(([, s]) => s.Properties.AvailabilityZoneId['Fn::Select'][0]).sort()).toEqual([
      0, 1, 2,
    ]);
    expect(subnets.every(([, s]) => s.Properties.MapPublicIpOnLaunch === false)).toBe(true);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
  });

  it('has gateway endpoints for DynamoDB and S3 and interface endpoints for MSK and Scheduler', () => {
    const endpoints = resourcesOf(app.templates.network, 'AWS::EC2::VPCEndpoint').map(([, e]) => ({
      service: serviceOf(e),
      type: e.Properties.VpcEndpointType,
    }));
    expect(endpoints).toEqual(
      expect.arrayContaining([
        { service: '.dynamodb', type: 'Gateway' },
        { service: '.s3', type: 'Gateway' },
        { service: '.kafka', type: 'Interface' },
        { service: '.scheduler', type: 'Interface' },
      ]),
    );
    // Provisioned-mode ESMs reach Lambda on their own: no Lambda or STS endpoint is paid for.
    expect(endpoints.map((e) => e.service)).not.toEqual(expect.arrayContaining(['.lambda']));
    expect(endpoints.map((e) => e.service)).not.toEqual(expect.arrayContaining(['.sts']));
  });

  it('opens the brokers only on the IAM/TLS port, to the functions and the pollers', () => {
    app.templates.network.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 9098,
      ToPort: 9098,
      SourceSecurityGroupId: Match.anyValue(),
    });
    const ingress = resourcesOf(app.templates.network, 'AWS::EC2::SecurityGroupIngress');
    expect(ingress.every(([, r]) => r.Properties.CidrIp === undefined)).toBe(true);
  });

  it('logs rejected traffic', () => {
    app.templates.network.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });
});

describe('NetworkStack variants', () => {
  it('adds Lambda and STS endpoints for on-demand ESMs and public subnets with NAT when asked', () => {
    const app = synthesize({ esmMode: 'on-demand', natGateways: '1' });
    const services = resourcesOf(app.templates.network, 'AWS::EC2::VPCEndpoint').map(([, e]) => serviceOf(e));
    expect(services).toEqual(expect.arrayContaining(['.lambda', '.sts']));
    app.templates.network.resourceCountIs('AWS::EC2::NatGateway', 1);
  });
});
