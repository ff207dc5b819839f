/**
 * Fault injection for tests: a rule intercepts requests of one API key and either answers with an error
 * code (in every top-level/partition error field of the response), delays the response, or drops the
 * connection without answering. Rules apply in the order added; `times` limits how many requests a rule
 * intercepts (default: all of them until `clear()`).
 */
export type FaultAction = { readonly errorCode: number } | { readonly delayMs: number } | 'drop';

export interface Fault {
  readonly apiKey: number;
  readonly action: FaultAction;
  readonly times?: number;
}

export class FaultInjector {
  private rules: { apiKey: number; action: FaultAction; remaining: number }[] = [];

  add(fault: Fault): void {
    this.rules.push({
      apiKey: fault.apiKey,
      action: fault.action,
      remaining: fault.times ?? Number.POSITIVE_INFINITY,
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** The action for one request of `apiKey`, consuming one use of the matching rule. */
  take(apiKey: number): FaultAction | undefined {
    if (this.rules.length === 0) return undefined;
    const rule = this.rules.find((r) => r.apiKey === apiKey && r.remaining > 0);
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.action;
  }
}
