import { int16, int32, int64, str } from '#test/support/kafka-broker/raw-client';

/**
 * Byte-exact fixtures for every advertised API version, written from the protocol grammar with the
 * primitive helpers below (independent of the broker's Writer): each request fixture must decode to the
 * expected object, each response object must encode to the fixture bytes.
 */
const cat = (...parts: Buffer[]) => Buffer.concat(parts);
const int8 = (n: number) => Buffer.from([n & 0xff]);
const bool = (b: boolean) => int8(b ? 1 : 0);
const nullStr = int16(-1);
const arr = (...items: Buffer[]) => cat(int32(items.length), ...items);
const bytes = (b: Buffer) => cat(int32(b.length), b);
const uvar = (n: number) => Buffer.from([n]); // single-byte unsigned varints only (< 128)
const cstr = (s: string) => cat(uvar(Buffer.byteLength(s) + 1), Buffer.from(s));
const none = Buffer.alloc(0);
const when = (cond: boolean, b: Buffer) => (cond ? b : none);

/** Classic or compact (flexible) encodings of the fixture primitives; `st` items end with a tag section. */
function codec(flexible: boolean) {
  const t = when(flexible, uvar(0));
  const a = (...items: Buffer[]) => (flexible ? cat(uvar(items.length + 1), ...items) : arr(...items));
  return {
    s: (x: string) => (flexible ? cstr(x) : str(x)),
    ns: flexible ? uvar(0) : nullStr,
    b: (x: Buffer) => (flexible ? cat(uvar(x.length + 1), x) : bytes(x)),
    a,
    st: (...items: Buffer[]) => a(...items.map((item) => cat(item, t))),
    nullArr: flexible ? uvar(0) : int32(-1),
    t,
  };
}
const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

export interface Fixture {
  request: Buffer;
  decoded: unknown;
  response: unknown;
  encoded: Buffer;
}

export const fixtures: Record<number, (v: number) => Fixture> = {
  // Produce (flexible from v9)
  0: (v) => {
    const records = Buffer.from('batch-bytes');
    const e = codec(v >= 9);
    return {
      request: cat(
        e.ns,
        int16(-1),
        int32(30000),
        e.st(cat(e.s('t'), e.st(cat(int32(0), e.b(records))))),
        e.t,
      ),
      decoded: {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30000,
        topics: [{ name: 't', partitions: [{ index: 0, records }] }],
      },
      response: {
        topics: [
          {
            name: 't',
            partitions: [
              { index: 0, errorCode: 0, baseOffset: 5n, logAppendTimeMs: -1n, logStartOffset: 0n },
            ],
          },
        ],
        throttleTimeMs: 0,
      },
      encoded: cat(
        e.st(
          cat(
            e.s('t'),
            e.st(
              cat(
                int32(0),
                int16(0),
                int64(5n),
                int64(-1n),
                when(v >= 5, int64(0n)),
                when(v >= 8, cat(e.a(), e.ns)),
              ),
            ),
          ),
        ),
        int32(0),
        e.t,
      ),
    };
  },
  // Fetch (flexible from v12)
  1: (v) => {
    const batch = Buffer.from('stored-batch');
    const e = codec(v >= 12);
    return {
      request: cat(
        int32(-1),
        int32(500),
        int32(1),
        int32(1000),
        int8(1),
        when(v >= 7, cat(int32(0), int32(-1))),
        e.st(
          cat(
            e.s('t'),
            e.st(
              cat(
                int32(2),
                when(v >= 9, int32(7)),
                int64(10n),
                when(v >= 12, int32(4)),
                when(v >= 5, int64(0n)),
                int32(100),
              ),
            ),
          ),
        ),
        when(v >= 7, e.st(cat(e.s('old'), e.a(int32(1))))),
        when(v >= 11, e.s('rack-a')),
        // v12: a tagged cluster_id (tag 0, "c") that the broker skips
        when(v >= 12, cat(uvar(1), uvar(0), uvar(2), uvar(2), Buffer.from('c'))),
      ),
      decoded: {
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 1000,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: 't',
            partitions: [
              {
                partition: 2,
                currentLeaderEpoch: v >= 9 ? 7 : -1,
                fetchOffset: 10n,
                lastFetchedEpoch: v >= 12 ? 4 : -1,
                logStartOffset: v >= 5 ? 0n : -1n,
                partitionMaxBytes: 100,
              },
            ],
          },
        ],
        forgottenTopics: v >= 7 ? [{ topic: 'old', partitions: [1] }] : [],
        rackId: v >= 11 ? 'rack-a' : '',
      },
      response: {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 't',
            partitions: [
              {
                partitionIndex: 2,
                errorCode: 0,
                highWatermark: 11n,
                lastStableOffset: 11n,
                logStartOffset: 0n,
                preferredReadReplica: -1,
                records: [batch],
              },
            ],
          },
        ],
      },
      encoded: cat(
        int32(0),
        when(v >= 7, cat(int16(0), int32(0))),
        e.st(
          cat(
            e.s('t'),
            e.st(
              cat(
                int32(2),
                int16(0),
                int64(11n),
                int64(11n),
                when(v >= 5, int64(0n)),
                e.nullArr,
                when(v >= 11, int32(-1)),
                e.b(batch),
              ),
            ),
          ),
        ),
        e.t,
      ),
    };
  },
  // ListOffsets (flexible from v6)
  2: (v) => {
    const e = codec(v >= 6);
    return {
      request: cat(
        int32(-1),
        when(v >= 2, int8(0)),
        e.st(
          cat(e.s('t'), e.st(cat(int32(0), when(v >= 4, int32(-1)), int64(-2n), when(v === 0, int32(1))))),
        ),
        e.t,
      ),
      decoded: {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: 't',
            partitions: [
              {
                partitionIndex: 0,
                currentLeaderEpoch: -1,
                timestamp: -2n,
                ...(v === 0 ? { maxNumOffsets: 1 } : {}),
              },
            ],
          },
        ],
      },
      response: {
        throttleTimeMs: 0,
        topics: [
          { name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1n, offset: 3n }] },
        ],
      },
      encoded: cat(
        when(v >= 2, int32(0)),
        e.st(
          cat(
            e.s('t'),
            e.st(
              cat(
                int32(0),
                int16(0),
                v === 0 ? arr(int64(3n)) : cat(int64(-1n), int64(3n), when(v >= 4, int32(0))),
              ),
            ),
          ),
        ),
        e.t,
      ),
    };
  },
  // Metadata (flexible from v9)
  3: (v) => {
    const e = codec(v >= 9);
    const zero = Buffer.alloc(16);
    return {
      request: cat(
        e.st(cat(when(v >= 10, zero), e.s('t'))),
        when(v >= 4, bool(false)),
        when(v >= 8 && v <= 10, bool(true)),
        when(v >= 8, bool(false)),
        e.t,
      ),
      decoded: {
        topics: [{ topicId: zero, name: 't' }],
        allowAutoTopicCreation: v < 4,
        includeClusterAuthorizedOperations: v >= 8 && v <= 10,
        includeTopicAuthorizedOperations: false,
      },
      response: {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 0, host: 'h', port: 9092, rack: null }],
        clusterId: 'c',
        controllerId: 0,
        topics: [
          {
            errorCode: 0,
            name: 't',
            topicId: uuid,
            isInternal: false,
            partitions: [
              {
                errorCode: 0,
                partitionIndex: 0,
                leaderId: 0,
                leaderEpoch: 0,
                replicaNodes: [0],
                isrNodes: [0],
                offlineReplicas: [],
              },
            ],
            topicAuthorizedOperations: -2147483648,
          },
        ],
        clusterAuthorizedOperations: 0x0da0,
      },
      encoded: cat(
        when(v >= 3, int32(0)),
        e.st(cat(int32(0), e.s('h'), int32(9092), when(v >= 1, e.ns))),
        when(v >= 2, e.s('c')),
        when(v >= 1, int32(0)),
        e.st(
          cat(
            int16(0),
            e.s('t'),
            when(v >= 10, uuid),
            when(v >= 1, bool(false)),
            e.st(
              cat(
                int16(0),
                int32(0),
                int32(0),
                when(v >= 7, int32(0)),
                e.a(int32(0)),
                e.a(int32(0)),
                when(v >= 5, e.a()),
              ),
            ),
            when(v >= 8, int32(-2147483648)),
          ),
        ),
        when(v >= 8 && v <= 10, int32(0x0da0)),
        e.t,
      ),
    };
  },
  // OffsetCommit (flexible from v8)
  8: (v) => {
    const e = codec(v >= 8);
    return {
      request: cat(
        e.s('g'),
        int32(3),
        e.s('m'),
        when(v >= 7, e.ns),
        when(v <= 4, int64(-1n)),
        e.st(cat(e.s('t'), e.st(cat(int32(0), int64(42n), when(v >= 6, int32(5)), e.s('meta'))))),
        e.t,
      ),
      decoded: {
        groupId: 'g',
        generationId: 3,
        memberId: 'm',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: 't',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 42n,
                committedLeaderEpoch: v >= 6 ? 5 : -1,
                committedMetadata: 'meta',
              },
            ],
          },
        ],
      },
      response: {
        throttleTimeMs: 0,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 22 }] }],
      },
      encoded: cat(when(v >= 3, int32(0)), e.st(cat(e.s('t'), e.st(cat(int32(0), int16(22))))), e.t),
    };
  },
  // OffsetFetch (flexible from v6)
  9: (v) => {
    const e = codec(v >= 6);
    return {
      request: cat(e.s('g'), e.st(cat(e.s('t'), e.a(int32(0), int32(1)))), when(v >= 7, bool(true)), e.t),
      decoded: { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }], requireStable: v >= 7 },
      response: {
        throttleTimeMs: 0,
        topics: [
          {
            name: 't',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 7n,
                committedLeaderEpoch: -1,
                metadata: '',
                errorCode: 0,
              },
            ],
          },
        ],
        errorCode: 0,
      },
      encoded: cat(
        when(v >= 3, int32(0)),
        e.st(cat(e.s('t'), e.st(cat(int32(0), int64(7n), when(v >= 5, int32(-1)), e.s(''), int16(0))))),
        when(v >= 2, int16(0)),
        e.t,
      ),
    };
  },
  // FindCoordinator (flexible from v3; v4 batches keys)
  10: (v) => {
    const e = codec(v >= 3);
    const found = { key: 'g', nodeId: 0, host: 'h', port: 9092, errorCode: 0, errorMessage: null };
    const denied = { key: 'x', nodeId: -1, host: '', port: -1, errorCode: 30, errorMessage: 'no' };
    return {
      request:
        v >= 4 ? cat(int8(0), e.a(e.s('g'), e.s('x')), e.t) : cat(e.s('g'), when(v >= 1, int8(0)), e.t),
      decoded: { keys: v >= 4 ? ['g', 'x'] : ['g'], keyType: 0 },
      response: { throttleTimeMs: 0, coordinators: v >= 4 ? [found, denied] : [found] },
      encoded:
        v >= 4
          ? cat(
              int32(0),
              e.st(
                cat(e.s('g'), int32(0), e.s('h'), int32(9092), int16(0), e.ns),
                cat(e.s('x'), int32(-1), e.s(''), int32(-1), int16(30), e.s('no')),
              ),
              e.t,
            )
          : cat(when(v >= 1, int32(0)), int16(0), when(v >= 1, e.ns), int32(0), e.s('h'), int32(9092), e.t),
    };
  },
  // JoinGroup (flexible from v6)
  11: (v) => {
    const e = codec(v >= 6);
    return {
      request: cat(
        e.s('g'),
        int32(6000),
        when(v >= 1, int32(9000)),
        e.s(''),
        when(v >= 5, e.ns),
        e.s('consumer'),
        e.st(cat(e.s('range'), e.b(Buffer.from('md')))),
        when(v >= 8, e.s('why')),
        e.t,
      ),
      decoded: {
        groupId: 'g',
        sessionTimeoutMs: 6000,
        rebalanceTimeoutMs: v >= 1 ? 9000 : 6000,
        memberId: '',
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.from('md') }],
        reason: v >= 8 ? 'why' : null,
      },
      response: {
        throttleTimeMs: 0,
        errorCode: 0,
        generationId: 1,
        protocolType: 'consumer',
        protocolName: 'range',
        leader: 'm',
        memberId: 'm',
        members: [{ memberId: 'm', groupInstanceId: null, metadata: Buffer.from('md') }],
      },
      encoded: cat(
        when(v >= 2, int32(0)),
        int16(0),
        int32(1),
        when(v >= 7, e.s('consumer')),
        e.s('range'),
        e.s('m'),
        when(v >= 9, bool(false)),
        e.s('m'),
        e.st(cat(e.s('m'), when(v >= 5, e.ns), e.b(Buffer.from('md')))),
        e.t,
      ),
    };
  },
  // Heartbeat (flexible from v4)
  12: (v) => {
    const e = codec(v >= 4);
    return {
      request: cat(e.s('g'), int32(1), e.s('m'), when(v >= 3, e.ns), e.t),
      decoded: { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null },
      response: { throttleTimeMs: 0, errorCode: 27 },
      encoded: cat(when(v >= 1, int32(0)), int16(27), e.t),
    };
  },
  // LeaveGroup (flexible from v4)
  13: (v) => {
    const e = codec(v >= 4);
    return {
      request:
        v >= 3
          ? cat(
              e.s('g'),
              e.st(
                cat(e.s('m'), e.ns, when(v >= 5, e.ns)),
                cat(e.s('n'), e.s('i'), when(v >= 5, e.s('bye'))),
              ),
              e.t,
            )
          : cat(e.s('g'), e.s('m')),
      decoded: {
        groupId: 'g',
        members:
          v >= 3
            ? [
                { memberId: 'm', groupInstanceId: null },
                { memberId: 'n', groupInstanceId: 'i' },
              ]
            : [{ memberId: 'm', groupInstanceId: null }],
      },
      response: {
        throttleTimeMs: 0,
        errorCode: 0,
        members: v >= 3 ? [{ memberId: 'm', groupInstanceId: null, errorCode: 25 }] : [],
      },
      encoded: cat(when(v >= 1, int32(0)), int16(0), when(v >= 3, e.st(cat(e.s('m'), e.ns, int16(25)))), e.t),
    };
  },
  // SyncGroup (flexible from v4)
  14: (v) => {
    const e = codec(v >= 4);
    return {
      request: cat(
        e.s('g'),
        int32(1),
        e.s('m'),
        when(v >= 3, e.ns),
        when(v >= 5, cat(e.s('consumer'), e.ns)),
        e.st(cat(e.s('m'), e.b(Buffer.from('a')))),
        e.t,
      ),
      decoded: {
        groupId: 'g',
        generationId: 1,
        memberId: 'm',
        groupInstanceId: null,
        protocolType: v >= 5 ? 'consumer' : null,
        protocolName: null,
        assignments: [{ memberId: 'm', assignment: Buffer.from('a') }],
      },
      response: {
        throttleTimeMs: 0,
        errorCode: 0,
        protocolType: 'consumer',
        protocolName: 'range',
        assignment: Buffer.from('a'),
      },
      encoded: cat(
        when(v >= 1, int32(0)),
        int16(0),
        when(v >= 5, cat(e.s('consumer'), e.s('range'))),
        e.b(Buffer.from('a')),
        e.t,
      ),
    };
  },
  // DescribeGroups (flexible from v5)
  15: (v) => {
    const e = codec(v >= 5);
    return {
      request: cat(e.a(e.s('g')), when(v >= 3, bool(true)), e.t),
      decoded: { groups: ['g'], includeAuthorizedOperations: v >= 3 },
      response: {
        throttleTimeMs: 0,
        groups: [
          {
            errorCode: 0,
            groupId: 'g',
            groupState: 'Stable',
            protocolType: 'consumer',
            protocolData: 'range',
            members: [
              {
                memberId: 'm',
                groupInstanceId: 'i',
                clientId: 'c',
                clientHost: '/h',
                metadata: Buffer.from('md'),
                assignment: Buffer.from('as'),
              },
            ],
            authorizedOperations: 0x148,
          },
        ],
      },
      encoded: cat(
        when(v >= 1, int32(0)),
        e.st(
          cat(
            int16(0),
            e.s('g'),
            e.s('Stable'),
            e.s('consumer'),
            e.s('range'),
            e.st(
              cat(
                e.s('m'),
                when(v >= 4, e.s('i')),
                e.s('c'),
                e.s('/h'),
                e.b(Buffer.from('md')),
                e.b(Buffer.from('as')),
              ),
            ),
            when(v >= 3, int32(0x148)),
          ),
        ),
        e.t,
      ),
    };
  },
  // ListGroups (flexible from v3)
  16: (v) => {
    const e = codec(v >= 3);
    return {
      request: cat(when(v >= 4, e.a(e.s('Stable'))), when(v >= 5, e.a(e.s('classic'))), e.t),
      decoded: { statesFilter: v >= 4 ? ['Stable'] : [], typesFilter: v >= 5 ? ['classic'] : [] },
      response: {
        throttleTimeMs: 0,
        errorCode: 0,
        groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }],
      },
      encoded: cat(
        when(v >= 1, int32(0)),
        int16(0),
        e.st(cat(e.s('g'), e.s('consumer'), when(v >= 4, e.s('Stable')), when(v >= 5, e.s('classic')))),
        e.t,
      ),
    };
  },
  // ApiVersions
  18: (v) => ({
    request: v >= 3 ? cat(cstr('kcat'), cstr('1.7'), uvar(0)) : none,
    decoded:
      v >= 3
        ? { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7' }
        : { clientSoftwareName: null, clientSoftwareVersion: null },
    response: { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 },
    encoded:
      v >= 3
        ? cat(int16(0), uvar(2), int16(18), int16(0), int16(3), uvar(0), int32(0), uvar(0))
        : cat(int16(0), arr(cat(int16(18), int16(0), int16(3))), when(v >= 1, int32(0))),
  }),
  // CreateTopics (flexible from v5)
  19: (v) => {
    const e = codec(v >= 5);
    return {
      request: cat(
        e.st(
          cat(
            e.s('t'),
            int32(-1),
            int16(-1),
            e.st(cat(int32(0), e.a(int32(0)))),
            e.st(cat(e.s('retention.ms'), e.s('1000'))),
          ),
        ),
        int32(5000),
        when(v >= 1, bool(true)),
        e.t,
      ),
      decoded: {
        topics: [
          {
            name: 't',
            numPartitions: -1,
            replicationFactor: -1,
            assignments: [{ partitionIndex: 0, brokerIds: [0] }],
            configs: [{ name: 'retention.ms', value: '1000' }],
          },
        ],
        timeoutMs: 5000,
        validateOnly: v >= 1,
      },
      response: {
        throttleTimeMs: 0,
        topics: [
          {
            name: 't',
            topicId: uuid,
            errorCode: 0,
            errorMessage: null,
            numPartitions: 1,
            replicationFactor: 1,
            configs: [
              { name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false },
            ],
          },
        ],
      },
      encoded: cat(
        when(v >= 2, int32(0)),
        e.st(
          cat(
            e.s('t'),
            when(v >= 7, uuid),
            int16(0),
            when(v >= 1, e.ns),
            when(
              v >= 5,
              cat(
                int32(1),
                int16(1),
                e.st(cat(e.s('retention.ms'), e.s('1000'), bool(false), int8(1), bool(false))),
              ),
            ),
          ),
        ),
        e.t,
      ),
    };
  },
  // DeleteTopics (flexible from v4; by id from v6)
  20: (v) => {
    const e = codec(v >= 4);
    const zero = Buffer.alloc(16);
    return {
      request: cat(v >= 6 ? e.st(cat(e.s('t'), zero), cat(e.ns, uuid)) : e.a(e.s('t')), int32(5000), e.t),
      decoded: {
        topics:
          v >= 6
            ? [
                { name: 't', topicId: zero },
                { name: null, topicId: uuid },
              ]
            : [{ name: 't', topicId: zero }],
        timeoutMs: 5000,
      },
      response: {
        throttleTimeMs: 0,
        responses: [{ name: 't', topicId: uuid, errorCode: 3, errorMessage: 'gone' }],
      },
      encoded: cat(
        when(v >= 1, int32(0)),
        e.st(cat(e.s('t'), when(v >= 6, uuid), int16(3), when(v >= 5, e.s('gone')))),
        e.t,
      ),
    };
  },
  // InitProducerId (flexible from v2)
  22: (v) => {
    const e = codec(v >= 2);
    return {
      request: cat(e.ns, int32(60000), when(v >= 3, cat(int64(9n), int16(2))), e.t),
      decoded: {
        transactionalId: null,
        transactionTimeoutMs: 60000,
        producerId: v >= 3 ? 9n : -1n,
        producerEpoch: v >= 3 ? 2 : -1,
      },
      response: { throttleTimeMs: 0, errorCode: 0, producerId: 1n, producerEpoch: 0 },
      encoded: cat(int32(0), int16(0), int64(1n), int16(0), e.t),
    };
  },
  // DescribeConfigs (flexible from v4)
  32: (v) => {
    const e = codec(v >= 4);
    return {
      request: cat(
        e.st(cat(int8(2), e.s('t'), e.nullArr)),
        when(v >= 1, bool(false)),
        when(v >= 3, bool(true)),
        e.t,
      ),
      decoded: {
        resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation: v >= 3,
      },
      response: {
        throttleTimeMs: 0,
        results: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: 2,
            resourceName: 't',
            configs: [
              {
                name: 'retention.ms',
                value: '1000',
                readOnly: false,
                configSource: 1,
                isSensitive: false,
                configType: 5,
              },
            ],
          },
        ],
      },
      encoded: cat(
        int32(0),
        e.st(
          cat(
            int16(0),
            e.ns,
            int8(2),
            e.s('t'),
            e.st(
              cat(
                e.s('retention.ms'),
                e.s('1000'),
                bool(false),
                v === 0 ? bool(false) : int8(1),
                bool(false),
                when(v >= 1, e.a()),
                when(v >= 3, cat(int8(5), e.ns)),
              ),
            ),
          ),
        ),
        e.t,
      ),
    };
  },
  // SaslHandshake
  17: () => ({
    request: str('SCRAM-SHA-256'),
    decoded: { mechanism: 'SCRAM-SHA-256' },
    response: { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
    encoded: cat(int16(0), arr(str('PLAIN'), str('SCRAM-SHA-256'))),
  }),
  // AlterConfigs (flexible from v2)
  33: (v) => {
    const e = codec(v >= 2);
    return {
      request: cat(
        e.st(cat(int8(2), e.s('t'), e.st(cat(e.s('retention.ms'), e.s('1000'))))),
        bool(true),
        e.t,
      ),
      decoded: {
        resources: [
          { resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] },
        ],
        validateOnly: true,
      },
      response: {
        throttleTimeMs: 0,
        responses: [{ errorCode: 40, errorMessage: 'bad', resourceType: 2, resourceName: 't' }],
      },
      encoded: cat(int32(0), e.st(cat(int16(40), e.s('bad'), int8(2), e.s('t'))), e.t),
    };
  },
  // CreatePartitions (flexible from v2)
  37: (v) => {
    const e = codec(v >= 2);
    return {
      request: cat(e.st(cat(e.s('t'), int32(4), e.st(e.a(int32(0))))), int32(5000), bool(false), e.t),
      decoded: {
        topics: [{ name: 't', count: 4, assignments: [[0]] }],
        timeoutMs: 5000,
        validateOnly: false,
      },
      response: { throttleTimeMs: 0, results: [{ name: 't', errorCode: 0, errorMessage: null }] },
      encoded: cat(int32(0), e.st(cat(e.s('t'), int16(0), e.ns)), e.t),
    };
  },
  // IncrementalAlterConfigs
  44: (v) => {
    const flexible = v >= 1;
    const s = flexible ? cstr : str;
    const nullable = flexible ? uvar(0) : nullStr;
    const list = (...items: Buffer[]) => (flexible ? cat(uvar(items.length + 1), ...items) : arr(...items));
    const tags = when(flexible, uvar(0));
    return {
      request: cat(
        list(
          cat(
            int8(2),
            s('t'),
            list(
              cat(s('retention.ms'), int8(0), s('1000'), tags),
              cat(s('segment.ms'), int8(1), nullable, tags),
            ),
            tags,
          ),
        ),
        bool(false),
        tags,
      ),
      decoded: {
        resources: [
          {
            resourceType: 2,
            resourceName: 't',
            configs: [
              { name: 'retention.ms', operation: 0, value: '1000' },
              { name: 'segment.ms', operation: 1, value: null },
            ],
          },
        ],
        validateOnly: false,
      },
      response: {
        throttleTimeMs: 0,
        responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' }],
      },
      encoded: cat(int32(0), list(cat(int16(0), nullable, int8(2), s('t'), tags)), tags),
    };
  },
  // SaslAuthenticate
  36: (v) => {
    const token = Buffer.from('n,,n=alice,r=abc');
    const challenge = Buffer.from('r=abcdef,s=c2FsdA==,i=4096');
    const flexible = v >= 2;
    return {
      request: flexible ? cat(uvar(token.length + 1), token, uvar(0)) : bytes(token),
      decoded: { authBytes: token },
      response: { errorCode: 0, errorMessage: null, authBytes: challenge, sessionLifetimeMs: 0n },
      encoded: flexible
        ? cat(int16(0), uvar(0), uvar(challenge.length + 1), challenge, int64(0n), uvar(0))
        : cat(int16(0), nullStr, bytes(challenge), when(v >= 1, int64(0n))),
    };
  },
  // DeleteRecords (flexible from v2)
  21: (v) => {
    const e = codec(v >= 2);
    return {
      request: cat(
        e.st(cat(e.s('t'), e.st(cat(int32(0), int64(-1n)), cat(int32(1), int64(5n))))),
        int32(5000),
        e.t,
      ),
      decoded: {
        topics: [
          {
            name: 't',
            partitions: [
              { partitionIndex: 0, offset: -1n },
              { partitionIndex: 1, offset: 5n },
            ],
          },
        ],
        timeoutMs: 5000,
      },
      response: {
        throttleTimeMs: 0,
        topics: [
          {
            name: 't',
            partitions: [
              { partitionIndex: 0, lowWatermark: 3n, errorCode: 0 },
              { partitionIndex: 1, lowWatermark: -1n, errorCode: 1 },
            ],
          },
        ],
      },
      encoded: cat(
        int32(0),
        e.st(cat(e.s('t'), e.st(cat(int32(0), int64(3n), int16(0)), cat(int32(1), int64(-1n), int16(1))))),
        e.t,
      ),
    };
  },
  // DeleteGroups (flexible from v2)
  42: (v) => {
    const e = codec(v >= 2);
    return {
      request: cat(e.a(e.s('g'), e.s('h')), e.t),
      decoded: { groupsNames: ['g', 'h'] },
      response: {
        throttleTimeMs: 0,
        results: [
          { groupId: 'g', errorCode: 0 },
          { groupId: 'h', errorCode: 68 },
        ],
      },
      encoded: cat(int32(0), e.st(cat(e.s('g'), int16(0)), cat(e.s('h'), int16(68))), e.t),
    };
  },
  // OffsetDelete (v0 only, not flexible)
  47: () => ({
    request: cat(str('g'), arr(cat(str('t'), arr(int32(0), int32(1))))),
    decoded: { groupId: 'g', topics: [{ name: 't', partitions: [0, 1] }] },
    response: {
      errorCode: 0,
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, errorCode: 0 },
            { partitionIndex: 1, errorCode: 86 },
          ],
        },
      ],
    },
    encoded: cat(
      int16(0),
      int32(0),
      arr(cat(str('t'), arr(cat(int32(0), int16(0)), cat(int32(1), int16(86))))),
    ),
  }),
  // DescribeCluster (flexible at every version)
  60: (v) => ({
    request: cat(bool(true), when(v >= 1, int8(1)), uvar(0)),
    decoded: { includeClusterAuthorizedOperations: true, endpointType: 1 },
    response: {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: 1,
      clusterId: 'c1',
      controllerId: 1,
      brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: null }],
      clusterAuthorizedOperations: 0x0da0,
    },
    encoded: cat(
      int32(0),
      int16(0),
      uvar(0),
      when(v >= 1, int8(1)),
      cstr('c1'),
      int32(1),
      cat(uvar(2), int32(1), cstr('h'), int32(9092), uvar(0), uvar(0)),
      int32(0x0da0),
      uvar(0),
    ),
  }),
};

/**
 * The fixture request of `key` at `version` as a whole frame: size, request header (v2, with its tag
 * section, when the version is flexible), body. For sending fixtures to a running broker.
 */
export function fixtureFrame(key: number, version: number, flexible: boolean, correlationId: number): Buffer {
  const body = fixtures[key]!(version).request;
  const header = cat(
    int16(key),
    int16(version),
    int32(correlationId),
    str('fixture'),
    when(flexible, uvar(0)),
  );
  return cat(int32(header.length + body.length), header, body);
}
