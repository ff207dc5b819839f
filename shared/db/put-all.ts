import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's limit of requests per BatchWriteItem call. */
export const BATCH_WRITE_MAX = 25;

export interface PutAllOptions {
  /** Attempts per chunk while DynamoDB hands back unprocessed items (throttling); default 6. */
  readonly maxAttempts?: number;
  /** Backoff before the first retry, doubled on each next one (ms); default 25. */
  readonly backoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Writes plain items (unconditional puts, idempotent: writing the same item again changes nothing) with
 * BatchWriteItem, 25 per call. Items with the same key are written once (the last one wins), since a call
 * may not name one key twice. Unprocessed items are retried with backoff; what is still unprocessed after
 * the last attempt throws, so the caller fails and its input is delivered again.
 */
export async function putAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  options: PutAllOptions = {},
): Promise<void> {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const item of items) byKey.set(`${String(item.pk)}\u0000${String(item.sk)}`, item);
  const unique = [...byKey.values()];
  const maxAttempts = options.maxAttempts ?? 6;
  const backoff = options.backoffMs ?? 25;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let i = 0; i < unique.length; i += BATCH_WRITE_MAX) {
    let requests = unique.slice(i, i + BATCH_WRITE_MAX).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      if (requests.length === 0) break;
      if (attempt >= maxAttempts) {
        throw new Error(
          `BatchWriteItem on ${tableName}: ${requests.length} item(s) still unprocessed after ${attempt} attempts`,
        );
      }
      await sleep(backoff * 2 ** (attempt - 1));
    }
  }
}
