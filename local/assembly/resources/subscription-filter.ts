/** `AWS::Logs::SubscriptionFilter` -> a `LocalSubscriptionFilter` the local log capture delivers through. */
import { physicalName } from '../intrinsics';
import type { ResourceReader } from './types';

export const TYPE = 'AWS::Logs::SubscriptionFilter';

export const read: ResourceReader = ({ stack, logicalId, resource, resolver: r, at }, model) => {
  const p = r.resolve(resource.Properties ?? {}, at('Properties')) as Record<string, unknown>;
  model.subscriptionFilters.push({
    logGroupName: String(p.LogGroupName),
    destinationArn: String(p.DestinationArn),
    filterPattern: typeof p.FilterPattern === 'string' ? p.FilterPattern : '',
    filterName:
      typeof p.FilterName === 'string' ? p.FilterName : physicalName(stack.stackName, logicalId, 512),
  });
};
