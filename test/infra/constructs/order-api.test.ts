/**
 * Template test of OrderApi on a bare stack: the Cognito user pool, its SRP-only client and role groups (or
 * an external issuer instead), the JWT authorizer on every route, the routes of docs/conventions.md with
 * payload 2.0, the throttled `$default` stage with JSON access logs, CORS, and the roles claim handed to
 * both functions.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NOTIFICATION_ROUTES, ORDER_ROUTES, OrderApi, type OrderApiProps } from '#infra/constructs/order-api';
import { bareStack, plainFunction } from '#test/support/cdk-stack';

function synth(props: Partial<OrderApiProps> = {}) {
  const stack = bareStack();
  const api = new OrderApi(stack, 'Api', {
    namePrefix: 'campusg-test',
    orderFunction: plainFunction(stack, 'Orders'),
    notificationFunction: plainFunction(stack, 'Notifications'),
    corsOrigins: ['https://app.example.org'],
    rateLimit: 50,
    burstLimit: 100,
    logRetention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
    ...props,
  });
  return { api, t: Template.fromStack(stack) };
}

describe('OrderApi with its own user pool', () => {
  const { api, t } = synth();

  it('creates a user pool with strong passwords, its customers and runners groups, and an SRP client', () => {
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'campusg-test-users',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
    });
    expect(
      Object.values(t.findResources('AWS::Cognito::UserPoolGroup'))
        .map((g) => g.Properties.GroupName)
        .sort(),
    ).toEqual(['customers', 'runners']);
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'campusg-test-api',
      GenerateSecret: false,
      ExplicitAuthFlows: [
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(api.userPool).toBeDefined();
  });

  it('guards every route with the JWT authorizer of that pool', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      Name: 'campusg-jwt',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('^ApiUserPoolApiClient') }],
        Issuer: Match.anyValue(),
      },
    });
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      [...ORDER_ROUTES, ...NOTIFICATION_ROUTES].map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const r of routes) expect(r.AuthorizationType).toBe('JWT');
    t.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('serves a throttled $default stage with JSON access logs and CORS for the given origins', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'campusg-test-api',
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.org'],
        AllowMethods: ['GET', 'POST', 'OPTIONS'],
        AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        ExposeHeaders: ['location'],
        MaxAge: 3600,
      },
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { Format: Match.stringLikeRegexp('"routeKey":"\\$context.routeKey"') },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/campusg/api/campusg-test',
      RetentionInDays: 30,
    });
  });

  it('tells both functions which claim carries the roles', () => {
    t.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: { JWT_ROLES_CLAIM: 'cognito:groups' } },
    });
  });
});

describe('OrderApi with an external issuer and no CORS', () => {
  const { api, t } = synth({
    jwtIssuer: 'https://issuer.example.org',
    jwtAudience: ['campusg'],
    rolesClaim: 'roles',
    corsOrigins: [],
  });

  it('creates no user pool and trusts the issuer and audience it is given', () => {
    t.resourceCountIs('AWS::Cognito::UserPool', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Audience: ['campusg'], Issuer: 'https://issuer.example.org' },
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
    t.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: { JWT_ROLES_CLAIM: 'roles' } },
    });
    expect(api.issuer).toBe('https://issuer.example.org');
  });
});
