import * as net from 'node:net';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { apis, isFlexible } from '#local/kafka-broker/apis/index';
import { type BrokerProcess, spawnBroker } from '#test/support/kafka-broker/broker-process';
import { fixtureFrame } from './apis/fixtures';

/**
 * Robustness: a few thousand random and mutated request frames must neither crash the broker nor stop it
 * from serving a well-behaved client afterwards. The corpus is what kafkajs itself sends (captured through
 * a recording socket factory) plus the codec fixture request of every API at every version the broker
 * advertises (apis/fixtures.ts, framed with header v2 where the version is flexible), so mutations start
 * from every API and version, classic and flexible. Besides the random draws, every fixture frame is sent
 * as is and in MUTATIONS_PER_VERSION seeded mutations of its own. Reproduce a failure with
 * FUZZ_SEED=<seed printed by the test>.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 6000);
const PARALLEL = 16;
const FRAMES_PER_CONNECTION = 2;
const MUTATIONS_PER_VERSION = 8;

/** One valid request frame per API key and advertised version, from the codec fixtures. */
function fixtureCorpus(): { key: number; version: number; frame: Buffer }[] {
  return [...apis.values()].flatMap((api) =>
    Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => {
      const version = api.minVersion + i;
      return {
        key: api.key,
        version,
        frame: fixtureFrame(api.key, version, isFlexible(api, version), 7 + i),
      };
    }),
  );
}

/** mulberry32: small, fast, good enough to drive mutations reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits a recorded client byte stream into length-prefixed frames (prefix included). */
function splitFrames(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos + 4 <= stream.length) {
    const size = stream.readInt32BE(pos);
    if (size < 0 || pos + 4 + size > stream.length) break;
    out.push(Buffer.from(stream.subarray(pos, pos + 4 + size)));
    pos += 4 + size;
  }
  return out;
}

/** kafkajs config whose sockets record every byte the client writes. */
function recordingConfig(address: string, streams: Buffer[][]): KafkaConfig {
  return {
    clientId: 'fuzz-corpus',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    socketFactory: ({ host, port, onConnect }) => {
      const socket = net.connect({ host, port }, onConnect);
      const chunks: Buffer[] = [];
      streams.push(chunks);
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      (socket as unknown as { write: (...args: unknown[]) => boolean }).write = (
        data: unknown,
        ...rest: unknown[]
      ) => {
        chunks.push(Buffer.isBuffer(data) ? Buffer.from(data) : Buffer.from(String(data), 'binary'));
        return write(data, ...rest);
      };
      return socket;
    },
  };
}

/** Runs a short but broad kafkajs session and returns the request frames it sent. */
async function captureCorpus(address: string): Promise<Buffer[]> {
  const streams: Buffer[][] = [];
  const kafka = new Kafka(recordingConfig(address, streams));
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'corpus', numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'corpus',
    acks: -1,
    messages: [
      { key: 'a', value: 'one', headers: { h: 'v' } },
      { key: 'b', value: 'two', partition: 1 },
    ],
  });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'corpus-group', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'corpus', fromBeginning: true });
  let got = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        if (++got === 2) resolve();
      },
    });
  });
  await consumer.disconnect();
  await admin.fetchOffsets({ groupId: 'corpus-group', topics: ['corpus'] });
  await admin.fetchTopicOffsets('corpus');
  await admin.describeGroups(['corpus-group']);
  await admin.listGroups();
  await admin.deleteTopics({ topics: ['corpus'] });
  await admin.disconnect();
  return streams.flatMap((chunks) => splitFrames(Buffer.concat(chunks)));
}

function mutate(rand: () => number, corpus: Buffer[], from?: Buffer): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = from ?? corpus[int(corpus.length)]!;
  const frame = Buffer.from(pick);
  const fixLength = (b: Buffer) => {
    b.writeInt32BE(b.length - 4, 0);
    return b;
  };
  switch (int(9)) {
    case 0: {
      // Entirely random frame with a consistent length.
      const body = Buffer.alloc(int(200));
      for (let i = 0; i < body.length; i++) body[i] = int(256);
      return fixLength(Buffer.concat([Buffer.alloc(4), body]));
    }
    case 1: {
      // Flip a few bytes in the body (length prefix kept).
      for (let n = 1 + int(8); n > 0; n--) {
        if (frame.length > 4) frame[4 + int(frame.length - 4)] = int(256);
      }
      return frame;
    }
    case 2:
      // Truncated body with a length that admits it.
      return fixLength(Buffer.from(frame.subarray(0, 4 + int(frame.length - 3))));
    case 3: {
      // Extra random bytes after a valid body.
      const tail = Buffer.alloc(1 + int(64));
      for (let i = 0; i < tail.length; i++) tail[i] = int(256);
      return fixLength(Buffer.concat([frame, tail]));
    }
    case 4: {
      // Bogus api key.
      if (frame.length >= 6) frame.writeInt16BE(int(65536) - 32768, 4);
      return frame;
    }
    case 5: {
      // Bogus api version.
      if (frame.length >= 8) frame.writeInt16BE(rand() < 0.5 ? int(40) : int(65536) - 32768, 6);
      return frame;
    }
    case 6: {
      // Bogus length prefix: negative, zero, huge, or longer than what follows.
      const lengths = [-1, 0, 1, 0x7fffffff, 0x10000000, frame.length + int(1000)];
      frame.writeInt32BE(lengths[int(lengths.length)]!, 0);
      return frame;
    }
    case 7: {
      // Plausible sizes and counts replaced by extremes: the first int32 in the body after the header.
      const at = 8 + int(Math.max(1, frame.length - 12));
      if (at + 4 <= frame.length) frame.writeInt32BE([-1, -2, 0x7fffffff, 65536, 0][int(5)]!, at);
      return frame;
    }
    default:
      // A valid frame, so real work is mixed in with the garbage.
      return frame;
  }
}

/** Sends frames on one connection, then waits briefly for the broker to answer or hang up. */
interface Outcome {
  /** The broker closed the connection (a framing or version violation) before we did. */
  closedByBroker: boolean;
  responseBytes: number;
}

function sendConnection(address: string, frames: Buffer[], rand: () => number): Promise<Outcome> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host: host!, port: Number(port) });
    let finished = false;
    const outcome: Outcome = { closedByBroker: false, responseBytes: 0 };
    const done = (byBroker: boolean) => {
      if (finished) return;
      finished = true;
      outcome.closedByBroker = byBroker;
      socket.destroy();
      resolve(outcome);
    };
    socket.on('error', () => done(true));
    socket.on('close', () => done(true));
    socket.on('data', (d: Buffer) => {
      outcome.responseBytes += d.length;
    });
    socket.on('connect', () => {
      // Sometimes all frames in one write, sometimes split at a random point (partial frames).
      const all = Buffer.concat(frames);
      if (rand() < 0.5 || all.length < 2) {
        socket.write(all);
      } else {
        const cut = 1 + Math.floor(rand() * (all.length - 1));
        socket.write(all.subarray(0, cut));
        setImmediate(() => socket.writable && socket.write(all.subarray(cut)));
      }
      setTimeout(() => done(false), 30);
    });
  });
}

describe('broker fuzzing', () => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = await spawnBroker();
  });

  afterAll(async () => {
    broker.child.kill('SIGTERM');
    await broker.exited;
  });

  it('survives random and mutated frames and still serves a normal client', async () => {
    console.log(`fuzz seed ${SEED} (rerun with FUZZ_SEED=${SEED}), ${FRAMES} frames`);
    const captured = await captureCorpus(broker.address);
    expect(captured.length).toBeGreaterThan(10);
    const fixtureFrames = fixtureCorpus();
    const corpus = [...captured, ...fixtureFrames.map((f) => f.frame)];
    const apiKeys = new Set(corpus.map((f) => f.readInt16BE(4)));
    // Every API the broker serves, each at every version it advertises.
    expect([...apiKeys].sort((a, b) => a - b)).toEqual([...apis.keys()].sort((a, b) => a - b));
    for (const api of apis.values()) {
      const versions = fixtureFrames.filter((f) => f.key === api.key).map((f) => f.version);
      expect({ api: api.name, versions }).toEqual({
        api: api.name,
        versions: Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i),
      });
    }

    const rand = prng(SEED);
    const batches: Buffer[][] = [];
    for (let sent = 0; sent < FRAMES; sent += FRAMES_PER_CONNECTION) {
      batches.push(Array.from({ length: FRAMES_PER_CONNECTION }, () => mutate(rand, corpus)));
    }
    for (const { frame } of fixtureFrames) {
      batches.push([frame]);
      for (let i = 0; i < MUTATIONS_PER_VERSION; i++) batches.push([mutate(rand, corpus, frame)]);
    }
    let next = 0;
    const outcomes: Outcome[] = [];
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < batches.length) {
          const frames = batches[next++]!;
          outcomes.push(await sendConnection(broker.address, frames, rand));
          expect({ seed: SEED, exitCode: broker.child.exitCode, signal: broker.child.signalCode }).toEqual({
            seed: SEED,
            exitCode: null,
            signal: null,
          });
        }
      }),
    );

    console.log(
      `fuzz seed ${SEED}: ${outcomes.length} connections, ${outcomes.filter((o) => o.closedByBroker).length} closed ` +
        `by the broker, ${outcomes.reduce((n, o) => n + o.responseBytes, 0)} response bytes, corpus of ` +
        `${corpus.length} frames over api keys ${[...apiKeys].sort((a, b) => a - b).join(',')}`,
    );
    expect({ seed: SEED, exitCode: broker.child.exitCode, signal: broker.child.signalCode }).toEqual({
      seed: SEED,
      exitCode: null,
      signal: null,
    });
    const kafka = new Kafka({
      clientId: 'after-fuzz',
      brokers: [broker.address],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'after-fuzz', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'after-fuzz', acks: -1, messages: [{ key: 'k', value: 'still alive' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'after-fuzz', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'after-fuzz', fromBeginning: true });
    const value = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
    });
    await consumer.disconnect();
    expect(value).toBe('still alive');
    expect(broker.child.exitCode).toBeNull();
  }, 60_000);
});
