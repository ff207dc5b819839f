/** `AWS::Scheduler::ScheduleGroup` -> a group name the local Scheduler creates at start. */
import type { ResourceReader } from './types';

export const TYPE = 'AWS::Scheduler::ScheduleGroup';

export const read: ResourceReader = ({ logicalId, resolver: r }, model) => {
  model.scheduleGroups.push(r.ref(logicalId));
};
