/**
 * The HTTP API (payload 2.0) in front of the Order and Notification API functions, behind a JWT authorizer.
 *
 * Identity: by default a Cognito user pool made here (groups `customers` and `runners`, an app client without
 * secret); or any OIDC issuer and audience from context. Either way the authorizer is a JWT authorizer, so
 * handlers read `requestContext.authorizer.jwt.claims` the same way.
 */
import { Aws, Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The routes of docs/conventions.md and the function that serves each. */
export const ORDER_ROUTES: readonly { method: apigw.HttpMethod; path: string }[] = [
  { method: apigw.HttpMethod.POST, path: '/orders' },
  { method: apigw.HttpMethod.GET, path: '/orders/{id}' },
  { method: apigw.HttpMethod.POST, path: '/orders/{id}/accept' },
  { method: apigw.HttpMethod.POST, path: '/orders/{id}/complete' },
  { method: apigw.HttpMethod.POST, path: '/orders/{id}/cancel' },
];
export const NOTIFICATION_ROUTES: readonly { method: apigw.HttpMethod; path: string }[] = [
  { method: apigw.HttpMethod.GET, path: '/users/{id}/notifications' },
];

export interface OrderApiProps {
  /** Name prefix, e.g. `campusg-dev`. */
  readonly namePrefix: string;
  readonly orderFunction: lambda.IFunction;
  readonly notificationFunction: lambda.IFunction;
  /** External identity provider; when unset, a Cognito user pool is created. */
  readonly jwtIssuer?: string;
  readonly jwtAudience?: readonly string[];
  /**
   * The claim of the issuer's tokens that lists the roles; handed to the API functions as `JWT_ROLES_CLAIM`.
   * @default `cognito:groups`
   */
  readonly rolesClaim?: string;
  /** Anyone may create an account in the user pool. @default false (administrators create users) */
  readonly selfSignUp?: boolean;
  /** OAuth redirect URLs of the app client (authorization code grant). @default none: OAuth off, SRP only */
  readonly callbackUrls?: readonly string[];
  readonly logoutUrls?: readonly string[];
  /** Allowed CORS origins; empty disables CORS. */
  readonly corsOrigins: readonly string[];
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class OrderApi extends Construct {
  public readonly httpApi: apigw.HttpApi;
  public readonly stage: apigw.HttpStage;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly userPool?: cognito.UserPool;
  public readonly userPoolClient?: cognito.UserPoolClient;
  public readonly issuer: string;
  public readonly audience: readonly string[];

  constructor(scope: Construct, id: string, props: OrderApiProps) {
    super(scope, id);

    if (props.jwtIssuer) {
      this.issuer = props.jwtIssuer;
      this.audience = props.jwtAudience ?? [];
    } else {
      this.userPool = new cognito.UserPool(this, 'UserPool', {
        userPoolName: `${props.namePrefix}-users`,
        selfSignUpEnabled: props.selfSignUp ?? false,
        signInAliases: { email: true },
        autoVerify: { email: true },
        standardAttributes: { email: { required: true, mutable: true } },
        passwordPolicy: {
          minLength: 12,
          requireLowercase: true,
          requireUppercase: true,
          requireDigits: true,
          requireSymbols: true,
          tempPasswordValidity: Duration.days(3),
        },
        mfa: cognito.Mfa.OPTIONAL,
        mfaSecondFactor: { otp: true, sms: false },
        accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
        removalPolicy: props.removalPolicy,
      });
      Validations.of(this.userPool).acknowledge(
        {
          id: 'AwsSolutions-COG2',
          reason:
            'Campus marketplace: TOTP MFA is offered (optional) rather than forced, so students can sign up from any device; strong passwords are required.',
        },
        {
          id: 'AwsSolutions-COG8',
          reason:
            'The Plus feature plan (threat protection, billed per MAU) is not justified for a campus demo; revisit before production.',
        },
        {
          id: 'AwsSolutions-COG3',
          reason:
            'Cognito threat protection needs the Plus feature plan (billed per MAU); not justified for a campus demo. Revisit before production.',
        },
      );
      // Explicit flows, never CDK's OAuth defaults (implicit grant, https://example.com, every scope): SRP for
      // apps (the password never leaves the device); ADMIN_USER_PASSWORD_AUTH only for operators holding IAM
      // credentials (cognito-idp:AdminInitiateAuth; the first calls in docs/deploy.md); never the plain
      // USER_PASSWORD_AUTH; the authorization code grant only when redirect URLs are configured.
      const callbackUrls = [...(props.callbackUrls ?? [])];
      this.userPoolClient = this.userPool.addClient('ApiClient', {
        userPoolClientName: `${props.namePrefix}-api`,
        generateSecret: false,
        authFlows: { userSrp: true, userPassword: false, adminUserPassword: true, custom: false },
        ...(callbackUrls.length > 0
          ? {
              oAuth: {
                flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
                scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callbackUrls,
                logoutUrls: [...(props.logoutUrls ?? [])],
              },
              supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
            }
          : { disableOAuth: true }),
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        preventUserExistenceErrors: true,
      });
      for (const group of ['customers', 'runners']) {
        new cognito.CfnUserPoolGroup(this, `${group[0]!.toUpperCase()}${group.slice(1)}Group`, {
          userPoolId: this.userPool.userPoolId,
          groupName: group,
          description: `CampusG ${group}`,
        });
      }
      this.issuer = `https://cognito-idp.${Aws.REGION}.amazonaws.com/${this.userPool.userPoolId}`;
      this.audience = [this.userPoolClient.userPoolClientId];
    }

    // Roles come only from the configured issuer's tokens (the authorizer rejects any other issuer), in the
    // claim that issuer uses; the handlers read that claim and no other.
    for (const fn of [props.orderFunction, props.notificationFunction]) {
      if (fn instanceof lambda.Function)
        fn.addEnvironment('JWT_ROLES_CLAIM', props.rolesClaim ?? 'cognito:groups');
    }
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', this.issuer, {
      authorizerName: 'campusg-jwt',
      jwtAudience: [...this.audience],
      identitySource: ['$request.header.Authorization'],
    });

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `${props.namePrefix}-api`,
      description: 'CampusG order and notification API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      corsPreflight:
        props.corsOrigins.length > 0
          ? {
              allowOrigins: [...props.corsOrigins],
              allowMethods: [
                apigw.CorsHttpMethod.GET,
                apigw.CorsHttpMethod.POST,
                apigw.CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
              exposeHeaders: ['location'],
              maxAge: Duration.hours(1),
            }
          : undefined,
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: `/campusg/api/${props.namePrefix}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        // JSON with HTTP API context variables (the REST API's standard fields do not all exist here).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    const orderIntegration = new HttpLambdaIntegration('OrderIntegration', props.orderFunction, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    const notificationIntegration = new HttpLambdaIntegration(
      'NotificationIntegration',
      props.notificationFunction,
      {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      },
    );
    for (const r of ORDER_ROUTES) {
      this.httpApi.addRoutes({ path: r.path, methods: [r.method], integration: orderIntegration });
    }
    for (const r of NOTIFICATION_ROUTES) {
      this.httpApi.addRoutes({ path: r.path, methods: [r.method], integration: notificationIntegration });
    }
  }

  /** The invoke URL of the `$default` stage. */
  get url(): string {
    return this.stage.url;
  }
}
