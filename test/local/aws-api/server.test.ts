import { connect } from 'node:net';
import { type AwsApi, AwsApiStartError, startAwsApi } from '#local/aws-api/index';
import { FakeInvoker, MemoryLogStore } from '#test/support/aws-api';

async function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('local AWS API server', () => {
  let api: AwsApi;

  beforeAll(async () => {
    api = await startAwsApi({ port: 0, invoker: new FakeInvoker(), logs: new MemoryLogStore() });
  });

  afterAll(async () => {
    await api.stop();
  });

  it('answers malformed JSON with a SerializationException in the JSON 1.1 error shape', async () => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'Logs_20140328.FilterLogEvents',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{"logGroupName": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe('SerializationException');
    expect(body.message).toMatch(/FilterLogEvents: the request body is not valid JSON/);
  });

  it('answers a JSON body that is not an object with a SerializationException', async () => {
    const res = await fetch(`${api.url}/schedules/s1`, { method: 'POST', body: '[1,2]' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
  });

  it('names an unsupported X-Amz-Target operation', async () => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(((await res.json()) as { message: string }).message).toContain('DynamoDB_20120810.ListTables');
  });

  it('names an unsupported CloudWatch Logs operation', async () => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'Logs_20140328.PutLogEvents' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('PutLogEvents is not supported');
  });

  it('names an unsupported REST path and the service it was signed for', async () => {
    const res = await fetch(`${api.url}/2015-01-01/es/domain`, {
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260319/us-east-1/es/aws4_request, SignedHeaders=host, Signature=abc',
      },
    });
    expect(res.status).toBe(400);
    const { message } = (await res.json()) as { message: string };
    expect(message).toContain('GET /2015-01-01/es/domain (service es) is not supported');
  });

  it('names an unsupported Scheduler operation', async () => {
    const res = await fetch(`${api.url}/tags/arn%3Aaws%3Ascheduler`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(
      'EventBridge Scheduler: POST /tags/',
    );
  });

  it('rejects a path with broken percent-encoding', async () => {
    const res = await fetch(`${api.url}/schedules/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
  });

  it('answers bytes that are not HTTP with 400 and keeps serving', async () => {
    const answer = await rawExchange(api.port, '\x00\x01\x02 garbage\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    const res = await fetch(`${api.url}/schedules`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Schedules: [] });
  });

  it('refuses a port that is already taken with an error naming it', async () => {
    const second = startAwsApi({ port: api.port, invoker: new FakeInvoker(), logs: new MemoryLogStore() });
    await expect(second).rejects.toBeInstanceOf(AwsApiStartError);
    await expect(second).rejects.toThrow(
      `cannot listen on 127.0.0.1:${api.port}: the port is already in use`,
    );
  });
});
