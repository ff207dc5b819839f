import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BATCH_WRITE_MAX, putAll } from '#shared/db/put-all';

type Request = { PutRequest: { Item: Record<string, unknown> } };

/** Records every BatchWriteItem call; `unprocessed` decides what each call hands back. */
function fakeClient(unprocessed: (requests: Request[], call: number) => Request[] = () => []) {
  const calls: Request[][] = [];
  const client = {
    send: async (command: { input: { RequestItems: Record<string, Request[]> } }) => {
      const requests = command.input.RequestItems.logs!;
      calls.push(requests);
      const left = unprocessed(requests, calls.length);
      return { UnprocessedItems: left.length ? { logs: left } : {} };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, calls };
}

const item = (n: number, v = 'x') => ({ pk: `P#${n % 3}`, sk: `S#${n}`, v });

describe('putAll', () => {
  it('writes in calls of at most 25 items, each key once (the last wins)', async () => {
    const { client, calls } = fakeClient();
    const items = [...Array.from({ length: 60 }, (_, i) => item(i)), item(5, 'later')];
    await putAll(client, 'logs', items, { sleep: async () => {} });
    expect(calls.map((c) => c.length)).toEqual([BATCH_WRITE_MAX, BATCH_WRITE_MAX, 10]);
    const written = calls.flat().map((r) => r.PutRequest.Item);
    expect(written).toHaveLength(60);
    expect(written.find((i) => i.sk === 'S#5')?.v).toBe('later');
  });

  it('retries unprocessed items until they are written', async () => {
    const { client, calls } = fakeClient((requests, call) => (call <= 2 ? requests.slice(0, 2) : []));
    await putAll(client, 'logs', [item(1), item(2), item(3)], { sleep: async () => {} });
    expect(calls.map((c) => c.length)).toEqual([3, 2, 2]);
  });

  it('fails when items stay unprocessed, so the batch is delivered again', async () => {
    const { client } = fakeClient((requests) => requests);
    await expect(
      putAll(client, 'logs', [item(1)], { maxAttempts: 3, sleep: async () => {} }),
    ).rejects.toThrow(/still unprocessed after 3 attempts/);
  });

  it('makes no call for no items', async () => {
    const { client, calls } = fakeClient();
    await putAll(client, 'logs', []);
    expect(calls).toHaveLength(0);
  });
});
