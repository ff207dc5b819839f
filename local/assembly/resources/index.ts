/**
 * The resource readers by CloudFormation type: one file per type that infra/ synthesizes and the local
 * runtime runs. Adding a type is one file and one line here; a type not listed (IAM, alarms, log groups,
 * the API and its stage, ...) is read elsewhere (local/iam reads the roles) or has no local counterpart.
 */
import * as route from './api-gateway-route';
import * as kafkaTopics from './campusg-kafka-topics';
import * as table from './dynamodb-table';
import * as eventSourceMapping from './event-source-mapping';
import * as lambdaFunction from './lambda-function';
import * as mskTopic from './msk-topic';
import * as scheduleGroup from './schedule-group';
import * as subscriptionFilter from './subscription-filter';
import type { ResourceReader } from './types';

const READERS = [
  lambdaFunction,
  table,
  mskTopic,
  kafkaTopics,
  eventSourceMapping,
  route,
  subscriptionFilter,
  scheduleGroup,
];

export const RESOURCE_READERS: ReadonlyMap<string, ResourceReader> = new Map(
  READERS.map((r) => [r.TYPE, r.read]),
);

export type { ModelParts, ResourceContext, ResourceReader } from './types';
