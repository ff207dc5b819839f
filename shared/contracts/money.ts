import * as z from 'zod';

/** Money is always a non-negative whole number of cents. Floats never enter the system. */
export const Cents = z
  .number({ error: 'must be a number of cents' })
  .int({ error: 'must be a whole number of cents (no fractions, no floats)' })
  .nonnegative({ error: 'must not be negative' })
  .max(Number.MAX_SAFE_INTEGER);

/** Sums cents and refuses anything that is not a safe integer result. */
export function addCents(...amounts: number[]): number {
  let total = 0;
  for (const a of amounts) {
    if (!Number.isSafeInteger(a)) throw new RangeError(`amount ${a} is not a whole number of cents`);
    total += a;
  }
  if (!Number.isSafeInteger(total)) throw new RangeError(`total ${total} overflows`);
  return total;
}
