import * as z from 'zod';
import { DynamoNotificationStore } from '#shared/db/notification-store';
import { requiredEnv } from '#shared/env';
import { ForbiddenError, ValidationError } from '#shared/errors';
import { callerOf, type HttpEvent, type HttpResult, json, route } from '#shared/http/api';
import { createLogger, type Logger } from '#shared/logging';
import { listNotifications, type NotificationServiceDeps } from '#shared/services/notification';
import { defaultClients, lazy } from '#shared/wiring/clients';

export type NotificationApiDeps = Pick<NotificationServiceDeps, 'notifications'> & {
  readonly logger: Logger;
};

const logger = createLogger();

const defaultDeps = lazy(
  (): NotificationApiDeps => ({
    notifications: new DynamoNotificationStore(defaultClients().client, () =>
      requiredEnv('NOTIFICATIONS_TABLE'),
    ),
    logger,
  }),
);

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2000).optional(),
});

/** `GET /users/{id}/notifications?limit=&cursor=`: the caller's own notifications, newest first. */
export function makeHandler(deps: NotificationApiDeps) {
  return (event: HttpEvent): Promise<HttpResult> =>
    route(
      event,
      [
        {
          method: 'GET',
          path: '/users/{id}/notifications',
          handle: async (e, params) => {
            const caller = callerOf(e);
            const userId = params.id!;
            if (caller.userId !== userId)
              throw new ForbiddenError(
                `user ${caller.userId} cannot read the notifications of user ${userId}`,
              );
            const query = Query.safeParse(e.queryStringParameters ?? {});
            if (!query.success) {
              const issues = query.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
              throw new ValidationError(
                `invalid query: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
                issues,
              );
            }
            const page = await listNotifications(deps, userId, query.data);
            return json(200, { userId, ...page });
          },
        },
      ],
      deps.logger,
    );
}

export const handler = (event: HttpEvent): Promise<HttpResult> => makeHandler(defaultDeps())(event);
