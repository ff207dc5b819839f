import * as z from 'zod';
import { ConflictError, ResourceNotFoundError, UnknownOperationError, ValidationError } from '../errors';
import { type ApiReply, type ApiRequest, parseJsonObject, validate } from '../http';
import { checkTimezone, parseScheduleExpression, ScheduleExpressionError } from './expression';
import type { ScheduleStore, StoredSchedule, StoredTarget } from './store';

/**
 * EventBridge Scheduler's REST-JSON API (2021-06-30) as `@aws-sdk/client-scheduler` sends it:
 *   POST|GET|PUT|DELETE /schedules/{Name}     Create / Get / Update / Delete (query groupName, clientToken)
 *   GET /schedules                            List (query ScheduleGroup, NamePrefix, State, NextToken, MaxResults)
 *   POST|GET|DELETE /schedule-groups/{Name}   Create / Get / Delete a group;  GET /schedule-groups  List
 * Timestamps travel as epoch seconds. Errors carry their type in `x-amzn-errortype`.
 */

const DEFAULT_RETRY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } as const;
const NAME = /^[0-9a-zA-Z_.-]+$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

const name = (what: string) =>
  z
    .string()
    .min(1, `${what} must have at least 1 character`)
    .max(64, `${what} must have at most 64 characters`)
    .regex(NAME, `${what} must match [0-9a-zA-Z_.-]+`);

const epochSeconds = z.number().refine(Number.isFinite, 'must be a timestamp in epoch seconds');

const TargetSchema = z.looseObject({
  Arn: z
    .string()
    .min(1)
    .max(1600)
    .regex(LAMBDA_ARN, 'must be a Lambda function ARN (the local Scheduler invokes Lambda targets only)'),
  RoleArn: z.string().min(1).max(1600),
  Input: z.string().min(1).max(8192).optional(),
  RetryPolicy: z
    .object({
      MaximumEventAgeInSeconds: z.number().int().min(60).max(86_400).optional(),
      MaximumRetryAttempts: z.number().int().min(0).max(185).optional(),
    })
    .optional(),
  DeadLetterConfig: z.object({ Arn: z.string().min(1).max(1600).optional() }).optional(),
});

const FlexibleTimeWindowSchema = z
  .object({
    Mode: z.enum(['OFF', 'FLEXIBLE']),
    MaximumWindowInMinutes: z.number().int().min(1).max(1440).optional(),
  })
  .refine((w) => (w.Mode === 'FLEXIBLE') === (w.MaximumWindowInMinutes !== undefined), {
    message: 'MaximumWindowInMinutes is required when Mode is FLEXIBLE and not allowed when it is OFF',
  });

const ScheduleBodySchema = z.object({
  ScheduleExpression: z.string().min(1).max(256),
  Target: TargetSchema,
  FlexibleTimeWindow: FlexibleTimeWindowSchema,
  GroupName: name('GroupName').optional(),
  StartDate: epochSeconds.optional(),
  EndDate: epochSeconds.optional(),
  Description: z.string().max(512).optional(),
  ScheduleExpressionTimezone: z.string().min(1).max(50).optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  KmsKeyArn: z.string().min(1).max(2048).optional(),
  ClientToken: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-zA-Z0-9_-]+$/)
    .optional(),
  ActionAfterCompletion: z.enum(['NONE', 'DELETE']).optional(),
});

const ListQuerySchema = z.object({
  ScheduleGroup: name('ScheduleGroup').optional(),
  NamePrefix: name('NamePrefix').optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  NextToken: z.string().min(1).max(2048).optional(),
  MaxResults: z.coerce.number().int().min(1).max(100).optional(),
});

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith('after:'))
    throw new ValidationError(`NextToken '${token}' is not a token this API issued`);
  return decoded.slice('after:'.length);
}

function encodeToken(after: string): string {
  return Buffer.from(`after:${after}`, 'utf8').toString('base64url');
}

/** Sorted items after the token's position, at most `max`, and the next token if more remain. */
function page<T>(items: readonly T[], keyOf: (item: T) => string, token: string | undefined, max: number) {
  const after = decodeToken(token);
  const rest = after === undefined ? items : items.filter((item) => keyOf(item) > after);
  const slice = rest.slice(0, max);
  const nextToken = rest.length > max ? encodeToken(keyOf(slice[slice.length - 1]!)) : undefined;
  return { slice, nextToken };
}

function queryObject(query: URLSearchParams): Record<string, string> {
  return Object.fromEntries(query.entries());
}

export class SchedulerApi {
  constructor(private readonly store: ScheduleStore) {}

  handle(req: ApiRequest): ApiReply {
    const [root, resource, ...extra] = req.segments;
    if (extra.length === 0 && root === 'schedules') {
      if (resource === undefined) {
        if (req.method === 'GET') return this.listSchedules(req);
      } else {
        if (req.method === 'POST') return this.createSchedule(resource, req);
        if (req.method === 'GET') return this.getSchedule(resource, req);
        if (req.method === 'PUT') return this.updateSchedule(resource, req);
        if (req.method === 'DELETE') return this.deleteSchedule(resource, req);
      }
    }
    if (extra.length === 0 && root === 'schedule-groups') {
      if (resource === undefined) {
        if (req.method === 'GET') return this.listGroups(req);
      } else {
        if (req.method === 'POST') return this.createGroup(resource);
        if (req.method === 'GET') return this.getGroup(resource);
        if (req.method === 'DELETE') return this.deleteGroup(resource);
      }
    }
    throw new UnknownOperationError(
      `EventBridge Scheduler: ${req.method} /${req.segments.join('/')} is not an operation the local Scheduler supports ` +
        '(CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules and the schedule-group operations are)',
    );
  }

  private requireGroup(groupName: string): void {
    if (!this.store.getGroup(groupName)) {
      throw new ResourceNotFoundError(`Schedule group ${groupName} does not exist.`);
    }
  }

  private groupParam(req: ApiRequest): string {
    const group = req.query.get('groupName') ?? 'default';
    validate(name('groupName'), group, 'EventBridge Scheduler');
    return group;
  }

  /** Validates a Create/Update body into the stored form. */
  private toStored(
    scheduleName: string,
    req: ApiRequest,
    operation: string,
    previous?: StoredSchedule,
  ): StoredSchedule {
    validate(name('Name'), scheduleName, operation);
    const body = validate(ScheduleBodySchema, parseJsonObject(req.body, operation), operation);
    const groupName = body.GroupName ?? 'default';
    try {
      parseScheduleExpression(body.ScheduleExpression);
      if (body.ScheduleExpressionTimezone !== undefined) checkTimezone(body.ScheduleExpressionTimezone);
    } catch (err) {
      if (err instanceof ScheduleExpressionError) throw new ValidationError(`${operation}: ${err.message}`);
      throw err;
    }
    if (body.StartDate !== undefined && body.EndDate !== undefined && body.EndDate <= body.StartDate) {
      throw new ValidationError(`${operation}: EndDate must be after StartDate`);
    }
    this.requireGroup(groupName);
    const now = Date.now();
    const target: StoredTarget = {
      ...body.Target,
      RetryPolicy: { ...DEFAULT_RETRY, ...body.Target.RetryPolicy },
    };
    return {
      Name: scheduleName,
      GroupName: groupName,
      Arn: this.store.scheduleArn(groupName, scheduleName),
      ScheduleExpression: body.ScheduleExpression,
      ScheduleExpressionTimezone: body.ScheduleExpressionTimezone,
      StartDate: body.StartDate === undefined ? undefined : Math.round(body.StartDate * 1000),
      EndDate: body.EndDate === undefined ? undefined : Math.round(body.EndDate * 1000),
      Description: body.Description,
      State: body.State ?? 'ENABLED',
      KmsKeyArn: body.KmsKeyArn,
      Target: target,
      FlexibleTimeWindow: body.FlexibleTimeWindow,
      ActionAfterCompletion: body.ActionAfterCompletion ?? 'NONE',
      CreationDate: previous?.CreationDate ?? now,
      LastModificationDate: now,
      ClientToken: body.ClientToken,
    };
  }

  private createSchedule(scheduleName: string, req: ApiRequest): ApiReply {
    const schedule = this.toStored(scheduleName, req, 'CreateSchedule');
    const existing = this.store.getSchedule(schedule.GroupName, schedule.Name);
    if (existing) {
      // A retry of the same request (same ClientToken) gets the same answer; anything else is a conflict.
      if (schedule.ClientToken !== undefined && existing.ClientToken === schedule.ClientToken) {
        return { json: { ScheduleArn: existing.Arn } };
      }
      throw new ConflictError(`Schedule ${schedule.Name} already exists.`);
    }
    this.store.putSchedule(schedule);
    return { json: { ScheduleArn: schedule.Arn } };
  }

  private updateSchedule(scheduleName: string, req: ApiRequest): ApiReply {
    const probe = this.toStored(scheduleName, req, 'UpdateSchedule');
    const existing = this.store.getSchedule(probe.GroupName, probe.Name);
    if (!existing) throw new ResourceNotFoundError(`Schedule ${probe.Name} does not exist.`);
    // A strictly newer modification time makes the engine treat this as a new firing even within 1 ms.
    const schedule = {
      ...probe,
      CreationDate: existing.CreationDate,
      LastModificationDate: Math.max(probe.LastModificationDate, existing.LastModificationDate + 1),
    };
    this.store.putSchedule(schedule);
    return { json: { ScheduleArn: schedule.Arn } };
  }

  private getSchedule(scheduleName: string, req: ApiRequest): ApiReply {
    const groupName = this.groupParam(req);
    const s = this.store.getSchedule(groupName, scheduleName);
    if (!s) throw new ResourceNotFoundError(`Schedule ${scheduleName} does not exist.`);
    return {
      json: {
        Arn: s.Arn,
        GroupName: s.GroupName,
        Name: s.Name,
        ScheduleExpression: s.ScheduleExpression,
        ScheduleExpressionTimezone: s.ScheduleExpressionTimezone,
        StartDate: seconds(s.StartDate),
        EndDate: seconds(s.EndDate),
        Description: s.Description,
        State: s.State,
        CreationDate: seconds(s.CreationDate),
        LastModificationDate: seconds(s.LastModificationDate),
        KmsKeyArn: s.KmsKeyArn,
        Target: s.Target,
        FlexibleTimeWindow: s.FlexibleTimeWindow,
        ActionAfterCompletion: s.ActionAfterCompletion,
      },
    };
  }

  private deleteSchedule(scheduleName: string, req: ApiRequest): ApiReply {
    const groupName = this.groupParam(req);
    if (!this.store.deleteSchedule(groupName, scheduleName)) {
      throw new ResourceNotFoundError(`Schedule ${scheduleName} does not exist.`);
    }
    return { json: {} };
  }

  private listSchedules(req: ApiRequest): ApiReply {
    const q = validate(ListQuerySchema, queryObject(req.query), 'ListSchedules');
    const matching = this.store
      .listSchedules()
      .filter(
        (s) =>
          (q.ScheduleGroup === undefined || s.GroupName === q.ScheduleGroup) &&
          (q.NamePrefix === undefined || s.Name.startsWith(q.NamePrefix)) &&
          (q.State === undefined || s.State === q.State),
      );
    const { slice, nextToken } = page(
      matching,
      (s) => `${s.GroupName}/${s.Name}`,
      q.NextToken,
      q.MaxResults ?? 100,
    );
    return {
      json: {
        Schedules: slice.map((s) => ({
          Arn: s.Arn,
          Name: s.Name,
          GroupName: s.GroupName,
          State: s.State,
          CreationDate: seconds(s.CreationDate),
          LastModificationDate: seconds(s.LastModificationDate),
          Target: { Arn: s.Target.Arn },
        })),
        NextToken: nextToken,
      },
    };
  }

  private createGroup(groupName: string): ApiReply {
    validate(name('Name'), groupName, 'CreateScheduleGroup');
    if (this.store.getGroup(groupName))
      throw new ConflictError(`Schedule group ${groupName} already exists.`);
    return { json: { ScheduleGroupArn: this.store.putGroup(groupName).Arn } };
  }

  private getGroup(groupName: string): ApiReply {
    const g = this.store.getGroup(groupName);
    if (!g) throw new ResourceNotFoundError(`Schedule group ${groupName} does not exist.`);
    return {
      json: {
        Arn: g.Arn,
        Name: g.Name,
        State: 'ACTIVE',
        CreationDate: seconds(g.CreationDate),
        LastModificationDate: seconds(g.LastModificationDate),
      },
    };
  }

  private deleteGroup(groupName: string): ApiReply {
    if (groupName === 'default') throw new ValidationError('The default schedule group cannot be deleted.');
    if (!this.store.deleteGroup(groupName)) {
      throw new ResourceNotFoundError(`Schedule group ${groupName} does not exist.`);
    }
    return { json: {} };
  }

  private listGroups(req: ApiRequest): ApiReply {
    const q = validate(
      z.object({
        NamePrefix: name('NamePrefix').optional(),
        NextToken: z.string().min(1).max(2048).optional(),
        MaxResults: z.coerce.number().int().min(1).max(100).optional(),
      }),
      queryObject(req.query),
      'ListScheduleGroups',
    );
    const matching = this.store
      .listGroups()
      .filter((g) => q.NamePrefix === undefined || g.Name.startsWith(q.NamePrefix));
    const { slice, nextToken } = page(matching, (g) => g.Name, q.NextToken, q.MaxResults ?? 100);
    return {
      json: {
        ScheduleGroups: slice.map((g) => ({
          Arn: g.Arn,
          Name: g.Name,
          State: 'ACTIVE',
          CreationDate: seconds(g.CreationDate),
          LastModificationDate: seconds(g.LastModificationDate),
        })),
        NextToken: nextToken,
      },
    };
  }
}
