/**
 * The serverless topic custom resource (infra/custom-resources/serverless-topics.ts) against the embedded
 * broker: missing topics are created with every setting, existing ones get only the settings that differ,
 * incrementally, and never a creation-only one. IncrementalAlterConfigs is checked byte for byte and against
 * the broker's own implementation (key 44).
 */
import { Kafka, logLevel } from 'kafkajs';
import {
  type ConfigResourceChange,
  encodeRequest,
  IncrementalAlterConfigsError,
  incrementalAlterConfigs,
  response,
  TOPIC_RESOURCE,
} from '#infra/custom-resources/incremental-alter-configs';
import { CREATION_ONLY_CONFIGS, configChanges, reconcile } from '#infra/custom-resources/serverless-topics';
import { type Broker, startBroker } from '#local/kafka-broker/index';

describe('configChanges', () => {
  it('sets only differing settings and never a creation-only one on an existing topic', () => {
    const current = new Map([
      ['order-events', { 'retention.ms': '86400000', 'cleanup.policy': 'compact' }],
      ['payment-events', { 'retention.ms': '604800000', 'cleanup.policy': 'delete' }],
    ]);
    const { changes, notApplied } = configChanges(
      [
        { name: 'order-events', configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' } },
        { name: 'payment-events', configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' } },
      ],
      current,
    );
    expect(changes).toEqual([
      {
        type: TOPIC_RESOURCE,
        name: 'order-events',
        changes: [{ name: 'retention.ms', operation: 'SET', value: '604800000' }],
      },
    ]);
    expect(CREATION_ONLY_CONFIGS).toContain('cleanup.policy');
    expect(notApplied).toEqual([
      'order-events:cleanup.policy=delete (is compact; settable only at creation)',
    ]);
  });
});

describe('IncrementalAlterConfigs v0 codec', () => {
  it('encodes resources with an operation per entry', async () => {
    const changes: ConfigResourceChange[] = [
      {
        type: TOPIC_RESOURCE,
        name: 't',
        changes: [
          { name: 'a', operation: 'SET', value: 'b' },
          { name: 'c', operation: 'DELETE' },
        ],
      },
    ];
    const req = encodeRequest(changes);
    expect([req.apiKey, req.apiVersion]).toEqual([44, 0]);
    const bytes = Buffer.from((await req.encode()).buffer);
    expect(bytes.toString('hex')).toBe(
      [
        '00000001', // one resource
        '02',
        '0001',
        '74', // type 2, name "t"
        '00000002', // two entries
        '0001',
        '61',
        '00',
        '0001',
        '62', // "a" SET "b"
        '0001',
        '63',
        '01',
        'ffff', // "c" DELETE null
        '00', // validate_only false
      ].join(''),
    );
  });

  it('turns a refused resource into an error naming it and the broker reason', async () => {
    const raw = Buffer.from(
      [
        '00000000',
        '00000001',
        '0028',
        '000f',
        Buffer.from('cannot alter it').toString('hex'),
        '02',
        '0001',
        '74',
      ].join(''),
      'hex',
    );
    const decoded = await response.decode(raw);
    expect(decoded.resources).toEqual([
      { errorCode: 40, errorMessage: 'cannot alter it', resourceType: 2, resourceName: 't' },
    ]);
    await expect(response.parse(decoded)).rejects.toThrow(
      /IncrementalAlterConfigs refused t: cannot alter it/,
    );
  });
});

describe('reconcile against the embedded broker', () => {
  let broker: Broker;
  let kafka: Kafka;
  beforeAll(async () => {
    broker = await startBroker({ port: 0, host: '127.0.0.1', autoCreateTopics: false });
    kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: 'order-events',
          numPartitions: 3,
          configEntries: [
            { name: 'retention.ms', value: '86400000' },
            { name: 'cleanup.policy', value: 'compact' },
          ],
        },
      ],
    });
    await admin.disconnect();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('creates missing topics whole and alters only what differs on existing ones', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const altered: ConfigResourceChange[][] = [];
    try {
      const data = await reconcile(
        admin,
        [
          {
            Name: 'order-events',
            Partitions: 3,
            Configs: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' },
          },
          {
            Name: 'dead-letters',
            Partitions: 1,
            Configs: { 'retention.ms': '1209600000', 'cleanup.policy': 'delete' },
          },
        ],
        async (changes) => {
          altered.push(changes);
        },
      );
      expect(data).toMatchObject({ Created: 'dead-letters', Grown: '', Altered: 'order-events' });
      expect(data.NotApplied).toMatch(/order-events:cleanup.policy=delete \(is compact/);
      expect(altered).toEqual([
        [
          {
            type: TOPIC_RESOURCE,
            name: 'order-events',
            changes: [{ name: 'retention.ms', operation: 'SET', value: '604800000' }],
          },
        ],
      ]);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: TOPIC_RESOURCE, name: 'dead-letters', configNames: ['retention.ms', 'cleanup.policy'] },
        ],
      });
      const created = Object.fromEntries(
        described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
      );
      expect(created).toEqual({ 'retention.ms': '1209600000', 'cleanup.policy': 'delete' });
    } finally {
      await admin.disconnect();
    }
  });

  it('changes one setting through IncrementalAlterConfigs and leaves the others as they are', async () => {
    await incrementalAlterConfigs(kafka, [
      {
        type: TOPIC_RESOURCE,
        name: 'order-events',
        changes: [{ name: 'retention.ms', operation: 'SET', value: '604800000' }],
      },
    ]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: TOPIC_RESOURCE, name: 'order-events', configNames: ['retention.ms', 'cleanup.policy'] },
        ],
      });
      const now = Object.fromEntries(
        described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
      );
      // cleanup.policy keeps the value it was created with: nothing reset it.
      expect(now).toEqual({ 'retention.ms': '604800000', 'cleanup.policy': 'compact' });
    } finally {
      await admin.disconnect();
    }
  });

  it('names the resource and the reason when the broker refuses a change', async () => {
    await expect(
      incrementalAlterConfigs(kafka, [
        {
          type: TOPIC_RESOURCE,
          name: 'no-such-topic',
          changes: [{ name: 'retention.ms', operation: 'SET', value: '1' }],
        },
      ]),
    ).rejects.toThrow(/IncrementalAlterConfigs refused no-such-topic/);
    await expect(
      incrementalAlterConfigs(kafka, [
        {
          type: TOPIC_RESOURCE,
          name: 'no-such-topic',
          changes: [{ name: 'retention.ms', operation: 'SET', value: '1' }],
        },
      ]),
    ).rejects.toBeInstanceOf(IncrementalAlterConfigsError);
  });
});
