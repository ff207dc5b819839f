/**
 * How many requests the broker has served per API key and version, since it started. Tests read it to check
 * which versions real clients negotiate (for example that librdkafka uses the flexible OffsetFetch v7);
 * operators can read it to see which clients talk to the broker.
 */
export class RequestCounts {
  private readonly counts = new Map<number, Map<number, number>>();

  record(apiKey: number, version: number): void {
    let byVersion = this.counts.get(apiKey);
    if (!byVersion) {
      byVersion = new Map();
      this.counts.set(apiKey, byVersion);
    }
    byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
  }

  /** Requests of `apiKey` at `version`, or at any version when it is left out. */
  count(apiKey: number, version?: number): number {
    const byVersion = this.counts.get(apiKey);
    if (!byVersion) return 0;
    if (version !== undefined) return byVersion.get(version) ?? 0;
    let total = 0;
    for (const n of byVersion.values()) total += n;
    return total;
  }

  /** The versions of `apiKey` seen so far, lowest first. */
  versions(apiKey: number): number[] {
    return [...(this.counts.get(apiKey)?.keys() ?? [])].sort((a, b) => a - b);
  }
}
