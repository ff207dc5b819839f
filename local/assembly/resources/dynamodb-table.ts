/** `AWS::DynamoDB::Table` -> a `LocalTable`: the resolved properties, created in dynalite as they are. */
import type { ResourceReader } from './types';

export const TYPE = 'AWS::DynamoDB::Table';

export const read: ResourceReader = ({ logicalId, resource, resolver: r, at }, model) => {
  const resolved = r.resolve(resource.Properties ?? {}, at('Properties')) as Record<string, unknown>;
  model.tables.push({
    logicalId,
    tableName: r.ref(logicalId),
    properties: { ...resolved, TableName: r.ref(logicalId) },
  });
};
