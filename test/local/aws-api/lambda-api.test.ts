import {
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { type AwsApi, startAwsApi } from '#local/aws-api/index';
import type { LocalFunction } from '#local/core/types';
import { credentials, FakeInvoker, functionError, MemoryLogStore } from '#test/support/aws-api';

function fn(name: string): LocalFunction {
  return {
    logicalId: `${name}ABC123`,
    constructId: name,
    functionName: name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    assetPath: `/tmp/${name}`,
    handler: 'index.handler',
    environment: { CAMPUSG_SERVICE: 'timer' },
    logGroupName: `/aws/lambda/${name}`,
    timeoutSeconds: 30,
    memoryMb: 512,
  };
}

describe('local Lambda API', () => {
  let api: AwsApi;
  let client: LambdaClient;
  const invoker = new FakeInvoker((ref, event) => {
    if (ref.endsWith('Broken'))
      return functionError('TypeError', "Cannot read properties of undefined (reading 'id')");
    return { ok: true, payload: { received: event, ref }, durationMs: 3 };
  });

  beforeAll(async () => {
    api = await startAwsApi({
      port: 0,
      invoker,
      logs: new MemoryLogStore(),
      functions: [fn('TimerFireFunction'), fn('Broken'), fn('OrderApiFunction')],
    });
    client = new LambdaClient({ endpoint: api.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await api.stop();
  });

  it('invokes a function with its payload and returns its result', async () => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'TimerFireFunction', Payload: Buffer.from('{"orderId":"o-1"}') }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({
      received: { orderId: 'o-1' },
      ref: 'TimerFireFunction',
    });
  });

  it('invokes by qualified ARN', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:TimerFireFunction:$LATEST';
    const out = await client.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from('{}') }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString()).ref).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:TimerFireFunction',
    );
  });

  it('returns a function error as Lambda does: 200, X-Amz-Function-Error and the error payload', async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: 'Broken', Payload: Buffer.from('{}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({
      errorType: 'TypeError',
      errorMessage: "Cannot read properties of undefined (reading 'id')",
      trace: [
        "TypeError: Cannot read properties of undefined (reading 'id')",
        '    at handler (index.js:1:1)',
      ],
    });
  });

  it('answers an unknown function with ResourceNotFoundException', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'Nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('rejects a payload that is not JSON with InvalidRequestContentException', async () => {
    await expect(
      client.send(
        new InvokeCommand({ FunctionName: 'TimerFireFunction', Payload: Buffer.from('{not json') }),
      ),
    ).rejects.toBeInstanceOf(InvalidRequestContentException);
  });

  it('accepts an Event invocation with 202 and runs it', async () => {
    const before = invoker.calls.length;
    const out = await client.send(
      new InvokeCommand({
        FunctionName: 'OrderApiFunction',
        InvocationType: 'Event',
        Payload: Buffer.from('{"a":1}'),
      }),
    );
    expect(out.StatusCode).toBe(202);
    const call = invoker.calls.slice(before).find((c) => c.functionRef === 'OrderApiFunction');
    expect(call?.event).toEqual({ a: 1 });
  });

  it('lists the functions with paging', async () => {
    const first = await client.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(first.Functions?.map((f) => f.FunctionName)).toEqual(['Broken', 'OrderApiFunction']);
    const rest = await client.send(new ListFunctionsCommand({ Marker: first.NextMarker }));
    expect(rest.Functions?.map((f) => f.FunctionName)).toEqual(['TimerFireFunction']);
    expect(rest.Functions?.[0]).toMatchObject({
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:TimerFireFunction',
      Handler: 'index.handler',
      Timeout: 30,
      MemorySize: 512,
    });
    expect(rest.NextMarker).toBeUndefined();
  });
});
