/**
 * Fault injection for tests: a rule intercepts requests of one API key and either answers with an error
 * code (in every top-level/partition error field of the response; with `served: true` the request is
 * served first, like a broker that wrote the records but answered REQUEST_TIMED_OUT), delays the response,
 * drops the connection without answering (`'drop'`: the request is not served), or serves the request and
 * then drops the connection before answering (`'dropResponse'`). The last two and `served` make a client
 * retry something that already happened. Rules apply in the order added; `times` limits how many requests
 * a rule intercepts (default: all of them until `clear()`).
 */
export type FaultAction =
  | { readonly errorCode: number; readonly served?: boolean }
  | { readonly delayMs: number }
  | 'drop'
  | 'dropResponse';

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
