/** Property values as the resource readers need them: numbers with a default and Kafka topic configs. */

/** A numeric property, or `fallback` when it is absent or not a number. */
export function asNumber(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/**
 * Topic configs as infra/constructs/kafka-topics.ts writes them: a Base64-encoded JSON object
 * (`AWS::MSK::Topic` `Configs`) or a plain object (`Custom::CampusgKafkaTopics` `Topics[].Configs`).
 */
export function topicConfigsOf(v: unknown): Record<string, string> {
  if (typeof v === 'string') {
    if (v.trim() === '') return {};
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(v, 'base64').toString('utf8'));
    } catch (err) {
      throw new Error(`topic Configs is not Base64-encoded JSON: ${JSON.stringify(v.slice(0, 60))}`, {
        cause: err,
      });
    }
    return topicConfigsOf(decoded);
  }
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = String(val);
  }
  return out;
}
