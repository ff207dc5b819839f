export * from './errors';
export { buildEvent, type HttpApiEventV2, mapResponse, stringifyClaim } from './event';
export {
  type IssueTokenOptions,
  JWT_KEY_FILE,
  LOCAL_JWT_AUDIENCE,
  LOCAL_JWT_ISSUER,
  type LocalGroup,
  LocalJwt,
} from './jwt';
export { compileRoutes, matchRoute } from './routes';
export {
  type HttpApi,
  type HttpApiOptions,
  type HttpApiRequestLog,
  type LocalCors,
  MAX_REQUEST_BODY,
  startHttpApi,
} from './server';
