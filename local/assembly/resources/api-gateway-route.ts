/**
 * `AWS::ApiGatewayV2::Route` -> a `LocalRoute`: the route key, the function of its Lambda integration
 * (`AWS::ApiGatewayV2::Integration`, found through `Target`) and its JWT authorizer
 * (`AWS::ApiGatewayV2::Authorizer`, through `AuthorizerId`). A route without a Lambda integration is skipped.
 */
import type { LocalRoute } from '#local/core/types';
import type { ResourceReader } from './types';

export const TYPE = 'AWS::ApiGatewayV2::Route';

export const read: ResourceReader = ({ stack, resource, resources, resolver: r, at }, model) => {
  const p = r.resolve(resource.Properties ?? {}, at('Properties')) as Record<string, unknown>;
  const target = typeof p.Target === 'string' ? p.Target : '';
  const integrationId = target.replace(/^integrations\//, '');
  const integration = resources[integrationId];
  if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') return;
  const ip = r.resolve(integration.Properties ?? {}, `${stack.stackName}.${integrationId}`) as Record<
    string,
    unknown
  >;
  const uri = typeof ip.IntegrationUri === 'string' ? ip.IntegrationUri : '';
  let jwtAuthorizer: LocalRoute['jwtAuthorizer'];
  const authType = String(p.AuthorizationType ?? 'NONE');
  if (authType === 'JWT' && typeof p.AuthorizerId === 'string') {
    const auth = resources[p.AuthorizerId];
    if (auth?.Type === 'AWS::ApiGatewayV2::Authorizer') {
      const ap = r.resolve(auth.Properties ?? {}, `${stack.stackName}.${p.AuthorizerId}`) as Record<
        string,
        unknown
      >;
      const jwt = (ap.JwtConfiguration ?? {}) as { Audience?: string[]; Issuer?: string };
      jwtAuthorizer = {
        name: String(ap.Name ?? p.AuthorizerId),
        issuer: jwt.Issuer,
        audience: jwt.Audience ?? [],
        identitySource: (ap.IdentitySource as string[] | undefined) ?? ['$request.header.Authorization'],
      };
    }
  }
  model.routes.push({
    routeKey: String(p.RouteKey),
    functionArn: functionArnFromUri(uri),
    authorizationType: authType === 'JWT' ? 'JWT' : 'NONE',
    jwtAuthorizer,
    authorizationScopes: (p.AuthorizationScopes as string[] | undefined) ?? undefined,
    payloadFormatVersion: typeof ip.PayloadFormatVersion === 'string' ? ip.PayloadFormatVersion : '2.0',
  });
};

/** The function ARN inside an API Gateway integration URI, or the value itself when it is one. */
function functionArnFromUri(uri: string): string {
  const m = /functions\/(arn:aws[^/]*:lambda:[^/]+)\/invocations/.exec(uri);
  return m ? m[1]! : uri;
}
