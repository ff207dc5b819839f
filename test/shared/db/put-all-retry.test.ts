/**
 * putAll's retry budget under throttling: how often and how long it backs off before it gives up (and the
 * log sink's batch is delivered again), pinned with a recording sleep; and one real run against dynalite,
 * where BatchWriteItem processes everything on the first call.
 */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { putAll } from '#shared/db/put-all';
import { type Dynamo, startDynamo, TABLES } from '#test/support/dynalite';

type Request = { PutRequest: { Item: Record<string, unknown> } };

/** A client whose BatchWriteItem hands back `unprocessed(call)` of what it was sent. */
function throttlingClient(unprocessed: (requests: Request[], call: number) => Request[]) {
  const calls: number[] = [];
  const client = {
    send: async (command: { input: { RequestItems: Record<string, Request[]> } }) => {
      const requests = command.input.RequestItems.t!;
      calls.push(requests.length);
      const left = unprocessed(requests, calls.length);
      return { UnprocessedItems: left.length ? { t: left } : {} };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, calls };
}

describe('putAll retries', () => {
  it('backs off 25 ms, doubling, and gives up after 6 attempts by default', async () => {
    const { client, calls } = throttlingClient((requests) => requests);
    const slept: number[] = [];
    const failure = await putAll(client, 't', [{ pk: 'a', sk: '1' }], {
      sleep: async (ms) => void slept.push(ms),
    }).catch((e: unknown) => e);
    expect((failure as Error).message).toBe(
      'BatchWriteItem on t: 1 item(s) still unprocessed after 6 attempts',
    );
    expect(calls).toEqual([1, 1, 1, 1, 1, 1]);
    expect(slept).toEqual([25, 50, 100, 200, 400]);
  });

  it('uses the given backoff and attempts, and stops retrying once everything is written', async () => {
    const { client, calls } = throttlingClient((requests, call) => (call < 3 ? requests.slice(1) : []));
    const slept: number[] = [];
    await putAll(
      client,
      't',
      [
        { pk: 'a', sk: '1' },
        { pk: 'a', sk: '2' },
        { pk: 'a', sk: '3' },
      ],
      { backoffMs: 10, maxAttempts: 3, sleep: async (ms) => void slept.push(ms) },
    );
    expect(calls).toEqual([3, 2, 1]);
    expect(slept).toEqual([10, 20]);
  });

  it('keeps items apart whose keys only look alike when joined', async () => {
    const { client, calls } = throttlingClient(() => []);
    await putAll(client, 't', [
      { pk: 'a#b', sk: 'c' },
      { pk: 'a', sk: 'b#c' },
    ]);
    expect(calls).toEqual([2]);
  });

  it('waits on a timer by default before it retries (driven by a fake clock)', async () => {
    jest.useFakeTimers();
    try {
      const { client, calls } = throttlingClient((requests, call) => (call === 1 ? requests : []));
      const done = putAll(client, 't', [{ pk: 'a', sk: '1' }], { backoffMs: 1000 });
      await jest.advanceTimersByTimeAsync(999);
      expect(calls).toEqual([1]);
      await jest.advanceTimersByTimeAsync(1);
      await done;
      expect(calls).toEqual([1, 1]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('succeeds on its last allowed attempt without sleeping after it', async () => {
    const { client, calls } = throttlingClient(() => []);
    const slept: number[] = [];
    await putAll(client, 't', [{ pk: 'a', sk: '1' }], {
      maxAttempts: 1,
      sleep: async (ms) => void slept.push(ms),
    });
    expect([calls, slept]).toEqual([[1], []]);
  });

  it('writes every item to dynalite', async () => {
    const dynamo: Dynamo = await startDynamo();
    try {
      const items = Array.from({ length: 30 }, (_, i) => ({ pk: `P#${i % 4}`, sk: `S#${i}`, n: i }));
      await putAll(dynamo.client, TABLES.LOGS_TABLE, items, { backoffMs: 1 });
      const stored = await dynamo.client.send(new ScanCommand({ TableName: TABLES.LOGS_TABLE }));
      expect((stored.Items ?? []).map((i) => i.n).sort((a, b) => a - b)).toEqual(items.map((i) => i.n));
    } finally {
      await dynamo.close();
    }
  });
});
