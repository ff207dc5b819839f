/**
 * Local IAM: each local function's AWS calls and Kafka operations checked against its execution role as
 * the synthesized template states it (see local-iam.ts for how the runtime wires it).
 */
export { errorReply } from './access-denied';
export { dynamoDbChecks, lambdaChecks, logsChecks, schedulerChecks } from './actions';
export { awsApiAuthorizer } from './aws-api-authorizer';
export { accessKeyIdFor, LOCAL_KEY_PREFIX, LocalCredentials } from './credentials';
export { startDynamoDbProxy } from './dynamodb-proxy';
export { AccessDeniedError, IamConfigError, IamError, UnrecognizedClientError } from './errors';
export { type CallToCheck, IamEvaluator, type Verdict } from './evaluator';
export { type Caller, type Denial, IAM_MODES, IamGuard, type IamMode, OPERATOR_KEYS } from './guard';
export { kafkaAuthorizer, mskIamCall, mskIamSasl } from './kafka-authorizer';
export { LocalIam, type LocalIamOptions } from './local-iam';
export { AWS_MANAGED_POLICIES } from './managed-policies';
export { type ExecutionRole, readExecutionRoles } from './roles';
