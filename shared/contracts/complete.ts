/**
 * Completes an event draft into a full envelope. Services emit drafts (type and payload); the envelope
 * fields are filled in here, in one place, so every publisher and the apply-once step agree on the id.
 */
import type { EventDraft, EventOf } from './envelope';
import type { EventType } from './events';
import { eventId } from './ids';
import { stableJson } from './stable-json';

/**
 * Fills the envelope fields a draft leaves out: `source` (the given service), `correlationId` (the payload's
 * order id), `timestamp` (now) and `id` (deterministic: type + correlation id + payload, so the same logical
 * event always gets the same id). A complete event comes back unchanged.
 */
export function completeEvent<T extends EventType>(
  draft: EventDraft<T> | EventOf<T>,
  source: string,
  now: () => Date = () => new Date(),
): EventOf<T> {
  const d = draft as EventDraft<EventType> & { payload: Record<string, unknown> };
  const orderId = typeof d.payload.orderId === 'string' ? d.payload.orderId : undefined;
  const correlationId =
    d.correlationId ?? orderId ?? (typeof d.payload.service === 'string' ? d.payload.service : source);
  return {
    ...d,
    id: d.id ?? eventId(d.type, correlationId, stableJson(d.payload)),
    timestamp: d.timestamp ?? now().toISOString(),
    source: d.source ?? source,
    correlationId,
  } as unknown as EventOf<T>;
}
