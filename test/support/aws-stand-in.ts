import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the two AWS APIs the CLI calls on `--target aws`, answering in the wire formats
 * the AWS SDK v3 expects: CloudFormation DescribeStacks (query protocol, XML) and MSK GetBootstrapBrokers
 * (REST-JSON). It records every request so tests can check what was asked.
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly authorization?: string;
}

export interface AwsStandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  stop(): Promise<void>;
}

export interface StandInOptions {
  /** Stack name -> outputs. */
  readonly stacks: Record<string, Record<string, string>>;
  /** Cluster ARN -> GetBootstrapBrokers answer fields. */
  readonly clusters: Record<string, Record<string, string>>;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startAwsStandIn(options: StandInOptions): Promise<AwsStandIn> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? '', path, body, authorization: req.headers.authorization });

    const brokers = /^\/v1\/clusters\/([^/]+)\/bootstrap-brokers/.exec(path);
    if (req.method === 'GET' && brokers) {
      const arn = decodeURIComponent(brokers[1]!);
      const answer = options.clusters[arn];
      if (!answer) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' });
        res.end(JSON.stringify({ message: `cluster ${arn} not found` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
      return;
    }

    const form = new URLSearchParams(body);
    if (req.method === 'POST' && form.get('Action') === 'DescribeStacks') {
      const name = form.get('StackName') ?? '';
      const outputs = options.stacks[name];
      if (!outputs) {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>` +
            `<Code>ValidationError</Code><Message>Stack with id ${xmlEscape(name)} does not exist</Message></Error>` +
            `<RequestId>r-1</RequestId></ErrorResponse>`,
        );
        return;
      }
      const members = Object.entries(outputs)
        .map(
          ([k, v]) =>
            `<member><OutputKey>${xmlEscape(k)}</OutputKey><OutputValue>${xmlEscape(v)}</OutputValue></member>`,
        )
        .join('');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult>` +
          `<Stacks><member><StackName>${xmlEscape(name)}</StackName>` +
          `<StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/${xmlEscape(name)}/1</StackId>` +
          `<CreationTime>2025-03-19T13:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>` +
          `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
          `<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
      return;
    }
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `stand-in does not know ${req.method} ${path}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
