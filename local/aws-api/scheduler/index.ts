/**
 * The EventBridge Scheduler emulator, one folder: the API (`api.ts`, CreateSchedule & co. over HTTP), the
 * schedule store (`store.ts`, journaled to disk), the firing engine (`engine.ts`), the schedule-expression
 * parser (`expression.ts`) and a source that polls a real Scheduler API (`api-source.ts`, for LocalStack's,
 * which stores schedules but never fires them). The AWS API server mounts the API; the LocalStack bridge
 * runs the engine over the API source.
 */
export { SchedulerApi } from './api';
export { type SchedulerApiSourceOptions, schedulerApiSource } from './api-source';
export * from './engine';
export { atInstant, parseScheduleExpression, type ScheduleExpression } from './expression';
export { ScheduleStore, type StoredGroup, type StoredSchedule, type StoredTarget } from './store';
