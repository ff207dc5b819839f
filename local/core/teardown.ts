/**
 * Stopping a composite of local parts in reverse order within a time budget. The runtime and the LocalStack
 * bridge both start several servers and children and must stop all of them however one of them fails; this
 * is the one implementation they share.
 */

/**
 * What a composite (the runtime, the LocalStack bridge) has started, stopped once in reverse order; a part
 * that fails to stop is reported and does not keep the others running. A stop is bounded: parts share a
 * budget (default 20 s), a part still stopping when its share runs out (at least 1 s) is reported and left
 * behind, so the final parts (state file, locks) always run. Child processes bound their own stop (SIGKILL).
 */
export class Teardown {
  private readonly parts: { name: string; stop: () => Promise<void> }[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly onError: (line: string) => void,
    private readonly budgetMs = 20_000,
  ) {}

  add(name: string, stop: () => Promise<void>): void {
    this.parts.push({ name, stop });
  }

  /** Stopped after everything else (e.g. the state file, which announces the rest until they are gone). */
  addFinal(name: string, stop: () => Promise<void>): void {
    this.parts.unshift({ name, stop });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const deadline = Date.now() + this.budgetMs;
      for (const part of this.parts.splice(0).reverse()) {
        const allowedMs = Math.max(1000, deadline - Date.now());
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), allowedMs);
        });
        try {
          if ((await Promise.race([part.stop(), late])) === 'late')
            this.onError(`stopping ${part.name} took longer than ${allowedMs} ms; going on without it`);
        } catch (err) {
          this.onError(`stopping ${part.name}: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.stopping;
  }
}
