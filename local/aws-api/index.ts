export * from './errors';
export { unqualified } from './lambda-api';
export {
  atInstant,
  parseScheduleExpression,
  type ScheduleExpression,
  type SchedulerApiSourceOptions,
  ScheduleStore,
  type StoredGroup,
  type StoredSchedule,
  type StoredTarget,
  schedulerApiSource,
} from './scheduler';
export * from './scheduler/engine';
export { type AwsApi, type AwsApiOptions, LOCAL_CONTROL_PATH, startAwsApi } from './server';
