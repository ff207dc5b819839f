/**
 * DescribeCluster (local/kafka-broker/apis/60-describe-cluster.ts) through the running broker in raw
 * frames (kafkajs 2.2 describes the cluster through Metadata, and the confluent-kafka installed here predates
 * describe_cluster): the one broker with its address, the cluster id and controller, the authorized
 * operations when asked, controller endpoints refused, and a principal without Describe refused.
 */
import { ErrorCode } from '#local/kafka-broker/protocol/error-codes';
import { brokerPool } from '#test/support/kafka-broker/broker-pool';
import { int8, RawClient, request } from '#test/support/kafka-broker/raw-client';

const pool = brokerPool();
const tags = Buffer.from([0]);

interface Described {
  errorCode: number;
  errorMessage: string | null;
  endpointType: number;
  clusterId: string;
  controllerId: number;
  brokers: { brokerId: number; host: string; port: number }[];
  operations: number;
}

/** Sends DescribeCluster v1 (request header v2) and reads the response (header v1: correlation, tags). */
async function describeCluster(
  port: number,
  includeOperations: boolean,
  endpointType = 1,
): Promise<Described> {
  const client = await RawClient.open(port);
  // The flexible request header ends with its own tagged fields, after the client id.
  client.send(
    request(60, 1, 7, Buffer.concat([tags, int8(includeOperations ? 1 : 0), int8(endpointType), tags])),
  );
  const res = await client.next();
  client.close();
  expect(res.readInt32BE(0)).toBe(7);
  let at = 5 + 4; // correlation id, header tags, throttle time
  const errorCode = res.readInt16BE(at);
  at += 2;
  const compact = (): string | null => {
    const length = res[at++]! - 1;
    if (length < 0) return null;
    const value = res.toString('utf8', at, at + length);
    at += length;
    return value;
  };
  const errorMessage = compact();
  const type = res.readInt8(at++);
  const clusterId = compact()!;
  const controllerId = res.readInt32BE(at);
  at += 4;
  const brokers: Described['brokers'] = [];
  const count = res[at++]! - 1;
  for (let i = 0; i < count; i++) {
    const brokerId = res.readInt32BE(at);
    at += 4;
    const host = compact()!;
    const brokerPort = res.readInt32BE(at);
    at += 4;
    compact(); // rack
    at++; // tags
    brokers.push({ brokerId, host, port: brokerPort });
  }
  const operations = res.readInt32BE(at);
  at += 4;
  expect(res.length).toBe(at + 1); // closing tagged fields
  return { errorCode, errorMessage, endpointType: type, clusterId, controllerId, brokers, operations };
}

describe('DescribeCluster', () => {
  it('describes the single broker as broker and controller, with the cluster operations when asked', async () => {
    const broker = await pool.start();
    const described = await describeCluster(broker.port, true);
    expect(described).toEqual({
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: 1,
      clusterId: 'campusg-embedded-kafka',
      controllerId: described.brokers[0]!.brokerId,
      brokers: [{ brokerId: described.controllerId, host: '127.0.0.1', port: broker.port }],
      // Create (5), Alter (7), Describe (8), DescribeConfigs (10), AlterConfigs (11): no authorizer, all allowed
      operations: (1 << 5) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11),
    });
    expect((await describeCluster(broker.port, false)).operations).toBe(-2147483648);
  });

  it('refuses controller endpoints as a Kafka broker does', async () => {
    const broker = await pool.start();
    const described = await describeCluster(broker.port, false, 2);
    expect(described.errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
    expect(described.errorMessage).toMatch(/endpoint type 2 is not served by a broker/);
    expect(described.brokers).toEqual([]);
  });

  it('refuses a principal that may not describe the cluster, and reports only what it may do', async () => {
    const denied = await pool.start({ authorizer: { authorize: () => false } });
    expect((await describeCluster(denied.port, true)).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    const describeOnly = await pool.start({ authorizer: { authorize: (_p, op) => op === 'Describe' } });
    expect(await describeCluster(describeOnly.port, true)).toMatchObject({
      errorCode: ErrorCode.NONE,
      operations: 1 << 8,
    });
  });
});
