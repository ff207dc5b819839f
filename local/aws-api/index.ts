export * from './errors';
export { unqualified } from './lambda-api';
export { type SchedulerApiSourceOptions, schedulerApiSource } from './scheduler-api-source';
export * from './scheduler-engine';
export { atInstant, parseScheduleExpression, type ScheduleExpression } from './scheduler-expression';
export { ScheduleStore, type StoredGroup, type StoredSchedule, type StoredTarget } from './scheduler-store';
export { type AwsApi, type AwsApiOptions, LOCAL_CONTROL_PATH, startAwsApi } from './server';
