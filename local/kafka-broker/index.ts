/**
 * Embedded single-node Kafka-protocol broker: real Kafka clients (kafkajs, librdkafka/kcat, kafka-python)
 * run against it unmodified, with no Java and no Docker.
 */
export type { AclOperation, AclResource, Authorizer } from './authorizer';
export { CLUSTER_RESOURCE } from './authorizer';
export type { BrokerLogger, NewTopic } from './cluster';
export { BrokerConfigError, BrokerError, ProtocolViolationError } from './errors';
export type { Fault, FaultAction } from './faults';
export { FaultInjector } from './faults';
export { ErrorCode } from './protocol/error-codes';
export type { RequestCounts } from './request-counts';
export {
  ANONYMOUS,
  type CredentialsSpec,
  loadCredentialsFile,
  MskIamTokenError,
  type MskIamVerifyOptions,
  SASL_MECHANISMS,
  type SaslMechanism,
  type SaslOptions,
  type ScramCredential,
  type ScramUser,
  saslFromCredentials,
  scramCredential,
  verifyMskIamToken,
} from './sasl';
export { type Broker, type BrokerOptions, startBroker } from './server';
export { MemoryStorage } from './storage/memory';
export type { BrokerStorage } from './storage/types';
