/**
 * `Custom::CampusgKafkaTopics` (MSK Serverless, where `AWS::MSK::Topic` does not apply;
 * infra/custom-resources/serverless-topics.ts) -> one `LocalTopic` per entry of
 * `Topics: [{ Name, Partitions, Configs }]`.
 */
import type { ResourceReader } from './types';
import { asNumber, topicConfigsOf } from './values';

export const TYPE = 'Custom::CampusgKafkaTopics';

export const read: ResourceReader = ({ resource, resolver: r, at }, model) => {
  const p = r.resolve(resource.Properties ?? {}, at('Properties')) as { Topics?: Record<string, unknown>[] };
  for (const t of p.Topics ?? []) {
    if (typeof t.Name !== 'string') continue;
    model.topics.set(t.Name, {
      name: t.Name,
      partitions: asNumber(t.Partitions, 1),
      configs: topicConfigsOf(t.Configs),
    });
  }
};
