/**
 * patches/kafkajs+2.2.4.patch, applied by `npm ci` (the postinstall script runs patch-package): an idle
 * kafkajs connection must not re-arm a timer after every check. Unpatched, each connection of every function
 * process, the runtime and the CLI woke its process about a thousand times a second while idle (an idle
 * local runtime spent more than half a core on it). The patched queue still schedules a check when a
 * request waits behind client-side throttling.
 */
// kafkajs's request queue is internal; it is reached by path because the patch is to that file
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (
  options: Record<string, unknown>,
) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
};

const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function queue() {
  return new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger,
  });
}

describe('kafkajs request queue (patched)', () => {
  it('arms no timer when a check finds nothing pending', () => {
    const q = queue();
    try {
      q.checkPendingRequests();
      expect(q.throttleCheckTimeoutId).toBeNull();
      q.scheduleCheckPendingRequests();
      expect(q.throttleCheckTimeoutId).toBeNull();
    } finally {
      q.destroy(); // unpatched, the timer loop would otherwise keep jest from exiting
    }
  });

  it('still schedules a check for a request waiting behind client-side throttling', () => {
    const q = queue();
    try {
      q.throttledUntil = Date.now() + 60_000;
      q.pending.push({ correlationId: 1 });
      q.scheduleCheckPendingRequests();
      expect(q.throttleCheckTimeoutId).not.toBeNull();
    } finally {
      q.destroy();
    }
  });
});
