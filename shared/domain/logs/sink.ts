import type { EventOf } from '#shared/contracts';

/** Days a central log record is kept (TTL). */
export const LOG_RETENTION_DAYS = 14;
const MAX_DATA_CHARS = 100_000;

/**
 * The items one LOG_RECORD is stored as: one under its service and day (`LOGS#<service>#<yyyy-mm-dd>`) and,
 * when the record names an order, one under the order (`ORDER#<orderId>`), so both "what did payment log
 * today" and "everything about order X" are single-partition queries. `sk` = `<loggedAt ISO>#<event id>` keeps
 * them in time order; writing the same record twice overwrites it with itself.
 */
export function logItemsOf(event: EventOf<'LOG_RECORD'>): Record<string, unknown>[] {
  const p = event.payload;
  const at = new Date(p.loggedAt).toISOString();
  const orderId =
    typeof p.data?.orderId === 'string'
      ? p.data.orderId
      : typeof p.data?.correlation_id === 'string'
        ? p.data.correlation_id
        : undefined;
  let data: unknown = p.data;
  if (data !== undefined && JSON.stringify(data).length > MAX_DATA_CHARS) {
    data = { truncated: true, preview: JSON.stringify(data).slice(0, MAX_DATA_CHARS) };
  }
  const item = {
    sk: `${at}#${event.id}`,
    entity: 'LOG',
    eventId: event.id,
    service: p.service,
    level: p.level,
    message: p.message.slice(0, MAX_DATA_CHARS),
    logGroup: p.logGroup,
    logStream: p.logStream,
    loggedAt: p.loggedAt,
    orderId,
    data,
    expiresAt: Math.floor(p.loggedAt / 1000) + LOG_RETENTION_DAYS * 86400,
  };
  const items: Record<string, unknown>[] = [{ pk: `LOGS#${p.service}#${at.slice(0, 10)}`, ...item }];
  if (orderId) items.push({ pk: `ORDER#${orderId}`, ...item });
  return items;
}
