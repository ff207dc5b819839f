/**
 * Defaults that the infrastructure and the services must agree on. The CDK app passes its configured values
 * to the functions as environment variables; the services fall back to these when a variable is missing.
 */

/** How long an order waits for a runner before ORDER_TIMEOUT (`ORDER_ACCEPT_TIMEOUT_SECONDS`): 15 minutes. */
export const DEFAULT_ACCEPT_TIMEOUT_SECONDS = 900;

/** Orders above this total are declined by the simulated payment provider (`PAYMENT_LIMIT_CENTS`). */
export { DEFAULT_PAYMENT_LIMIT_CENTS } from '#shared/domain/payment/provider';
