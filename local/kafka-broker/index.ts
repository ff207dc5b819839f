/**
 * Embedded single-node Kafka-protocol broker: real Kafka clients (kafkajs, librdkafka/kcat, kafka-python)
 * run against it unmodified, with no Java and no Docker.
 */
export type { BrokerLogger, NewTopic } from './cluster';
export { BrokerConfigError, BrokerError, ProtocolViolationError } from './errors';
export type { Fault, FaultAction } from './faults';
export { FaultInjector } from './faults';
export { ErrorCode } from './protocol/error-codes';
export { type Broker, type BrokerOptions, startBroker } from './server';
export { MemoryStorage } from './storage/memory';
export type { BrokerStorage } from './storage/types';
