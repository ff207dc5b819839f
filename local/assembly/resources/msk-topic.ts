/**
 * `AWS::MSK::Topic` (provisioned MSK, infra/constructs/kafka-topics.ts) -> a `LocalTopic`: `TopicName`,
 * `PartitionCount`, `Configs` (Base64-encoded JSON).
 */
import type { ResourceReader } from './types';
import { asNumber, topicConfigsOf } from './values';

export const TYPE = 'AWS::MSK::Topic';

export const read: ResourceReader = ({ resource, resolver: r, at }, model) => {
  const p = r.resolve(resource.Properties ?? {}, at('Properties')) as Record<string, unknown>;
  if (typeof p.TopicName !== 'string') throw new Error(`${at('TopicName')} is not a string`);
  model.topics.set(p.TopicName, {
    name: p.TopicName,
    partitions: asNumber(p.PartitionCount, 1),
    configs: topicConfigsOf(p.Configs),
  });
};
