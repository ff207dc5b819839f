/** Formatting shared by the CLI and the console. */

/** Formats cents as a decimal amount: 1250 -> 12.50. */
export function formatCents(cents: unknown): string {
  if (typeof cents !== 'number' || !Number.isFinite(cents)) return '?';
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
