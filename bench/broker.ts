/**
 * Embedded broker benchmark. Never pass/fail: it prints numbers for this machine, in one run:
 *
 * - produce and consume throughput with kcat (librdkafka) for 100 B and 1 KiB messages, against memory
 *   storage and file storage (a temp data directory): `kcat -P -l file -X acks=all` and
 *   `kcat -C -e -o 0 > /dev/null`, each on a fresh topic; plus 100 B produce with librdkafka's idempotent
 *   producer (`-X enable.idempotence=true`), whose sequences the broker checks;
 * - the baseline: raw loopback TCP throughput of a Node socket that discards what it receives, fed the same
 *   message file by a separate Node process; and each kcat run's ratio to it;
 * - the fixed costs of one client run (one message), so that the wall-clock rates can be read;
 * - kafkajs produce -> consume latency at low load (one message at a time, acks=-1), p50/p99;
 * - CRC-32C throughput of the candidates: `@node-rs/crc32` (what the broker uses), `@aws-crypto/crc32c`
 *   and a hand-written slicing-by-8 table CRC (kept here only as a yardstick).
 *
 * Like for like: the broker and the discarding server each run in their own Node process (never in this
 * one), every client is a separate process whose output goes to /dev/null, and every rate is timed the
 * same way: first to last byte the server process receives from the client ("stream", watched through
 * Node's `net.server.socket` diagnostics channel, so the broker's code is untouched). Wall clock from
 * spawning the client to its exit is printed too. Each measurement is repeated BENCH_REPEAT times and the
 * median is reported. Server CPU is the server process's user+system time over the wall time: well below
 * 100% means the server is not what limits the run.
 *
 * Sizes: BENCH_SMALL_COUNT (default 1000000 x 100 B), BENCH_LARGE_COUNT (default 100000 x 1 KiB),
 * BENCH_REPEAT (default 3), BENCH_LATENCY_COUNT (default 1000).
 *
 *   npm run bench:broker
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32c as awsCrc32c } from '@aws-crypto/crc32c';
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../local/kafka-broker';

const KCAT = process.env.KCAT ?? '/usr/bin/kcat';
const SMALL = Number(process.env.BENCH_SMALL_COUNT ?? 1_000_000);
const LARGE = Number(process.env.BENCH_LARGE_COUNT ?? 100_000);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const LATENCY = Number(process.env.BENCH_LATENCY_COUNT ?? 1000);

// ---------------------------------------------------------------------------------------------------------
// Child processes: `bench/broker.ts serve broker [dataDir]` runs the broker, `serve discard` a discarding
// TCP server. Both report over IPC: their address when listening, their CPU time when asked; the discarding
// server also reports when it has received the number of bytes it was told to expect.

type ToChild = { type: 'mark' } | { type: 'stats' } | { type: 'expect'; bytes: number };
type FromChild =
  | { type: 'ready'; address: string }
  | { type: 'stats'; cpuMicros: number; streamSeconds: number; bytes: number }
  | { type: 'received'; bytes: number };

async function serve(mode: string, dataDir: string | undefined): Promise<void> {
  const send = (message: FromChild) => process.send!(message);
  // Every accepted socket (the broker's or the discarding server's) is watched through Node's
  // diagnostics channel, without touching the server's code: first and last byte received since `mark`.
  let first: bigint | undefined;
  let last = 0n;
  let bytesIn = 0;
  let cpuAtMark = 0;
  let expected = Number.POSITIVE_INFINITY;
  let received = 0;
  subscribe('net.server.socket', (message) => {
    (message as { socket: net.Socket }).socket.on('data', (chunk: Buffer) => {
      last = process.hrtime.bigint();
      first ??= last;
      bytesIn += chunk.length;
    });
  });
  const cpuMicros = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  const onMessage = (message: ToChild) => {
    if (message.type === 'mark') {
      first = undefined;
      bytesIn = 0;
      cpuAtMark = cpuMicros();
    } else if (message.type === 'stats') {
      send({
        type: 'stats',
        cpuMicros: cpuMicros() - cpuAtMark,
        streamSeconds: first === undefined ? 0 : Number(last - first) / 1e9,
        bytes: bytesIn,
      });
    } else {
      received = 0;
      expected = message.bytes;
    }
  };
  if (mode === 'broker') {
    const broker = await startBroker({ port: 0, host: '127.0.0.1', ...(dataDir ? { dataDir } : {}) });
    process.on('message', onMessage);
    process.once('disconnect', () => {
      broker.stop().finally(() => process.exit(0));
    });
    send({ type: 'ready', address: broker.address });
    return;
  }
  const server = net.createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= expected) {
        expected = Number.POSITIVE_INFINITY;
        send({ type: 'received', bytes: received });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', onMessage);
  process.once('disconnect', () => process.exit(0));
  const { port } = server.address() as net.AddressInfo;
  send({ type: 'ready', address: `127.0.0.1:${port}` });
}

/** A benchmark server in its own process (same Node flags as this one, so TypeScript loads). */
class Server {
  private waiters: ((message: FromChild) => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly address: string,
  ) {
    child.on('message', (message: FromChild) => {
      for (const waiter of this.waiters.splice(0)) waiter(message);
    });
  }

  static start(mode: 'broker' | 'discard', dataDir?: string): Promise<Server> {
    const child = spawn(
      process.execPath,
      [...process.execArgv, __filename, 'serve', mode, ...(dataDir ? [dataDir] : [])],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`bench ${mode} server exited with ${code}`)));
      child.once('message', (message: FromChild) => {
        if (message.type === 'ready') resolve(new Server(child, message.address));
      });
    });
  }

  private next<T extends FromChild['type']>(type: T): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve) => {
      const wait = (message: FromChild) => {
        if (message.type === type) resolve(message as Extract<FromChild, { type: T }>);
        else this.waiters.push(wait);
      };
      this.waiters.push(wait);
    });
  }

  /** Starts a measurement window. */
  mark(): void {
    this.child.send({ type: 'mark' } satisfies ToChild);
  }

  /** Since `mark`: server CPU seconds, and first to last byte the server received. */
  async stats(): Promise<{ cpu: number; streamSeconds: number }> {
    const reply = this.next('stats');
    this.child.send({ type: 'stats' } satisfies ToChild);
    const { cpuMicros, streamSeconds } = await reply;
    return { cpu: cpuMicros / 1e6, streamSeconds };
  }

  /** Resolves once a discarding server has received `bytes` more bytes. */
  expect(bytes: number): Promise<unknown> {
    const reply = this.next('received');
    this.child.send({ type: 'expect', bytes } satisfies ToChild);
    return reply;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.removeAllListeners('exit');
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }
}

// ---------------------------------------------------------------------------------------------------------

interface Measurement {
  /** Spawning the sender until it has exited and the receiver has everything. */
  readonly wall: number;
  /**
   * First to last byte the server process received from the client: for produce, ApiVersions to the last
   * Produce request; for consume, ApiVersions to the fetch that finds the end of the log; for the baseline,
   * the whole file. Leaves out process start-up and teardown.
   */
  readonly stream: number;
  /** Server CPU seconds during the measurement. */
  readonly cpu: number;
  readonly messages: number;
}

interface Row {
  readonly what: string;
  /** Message size in bytes: picks the TCP baseline the row is compared with. */
  readonly size: number;
  /** Payload bytes moved by one run. */
  readonly bytes: number;
  readonly runs: Measurement[];
}

const notes: string[] = [];

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A file of `count` lines, each `size` bytes of printable payload (the newline is kcat's delimiter). */
function messageFile(dir: string, count: number, size: number): string {
  const file = path.join(dir, `msgs-${size}-${count}.txt`);
  const line = Buffer.alloc(size + 1);
  const chunkLines = Math.max(1, Math.floor((1 << 20) / (size + 1)));
  const fd = fs.openSync(file, 'w');
  for (let written = 0; written < count; ) {
    const n = Math.min(chunkLines, count - written);
    const chunk = Buffer.alloc(n * (size + 1));
    for (let i = 0; i < n; i++) {
      const seq = `${written + i}:`;
      line.fill('x'.charCodeAt(0), 0, size);
      line.write(seq.slice(0, size), 0);
      line[size] = 10;
      line.copy(chunk, i * (size + 1));
    }
    fs.writeSync(fd, chunk);
    written += n;
  }
  fs.closeSync(fd);
  return file;
}

/** Runs a command with stdout discarded; resolves with its stderr. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stderr);
      else
        reject(
          new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim().slice(0, 500)}`),
        );
    });
  });
}

/** Times one client run; `work` returns the number of messages it moved. */
async function timed(server: Server, work: () => Promise<number>): Promise<Measurement> {
  server.mark();
  const start = process.hrtime.bigint();
  const messages = await work();
  const wall = seconds(start);
  const { cpu, streamSeconds } = await server.stats();
  return { wall, stream: streamSeconds, cpu, messages };
}

async function kcatProduce(
  brokers: string,
  topic: string,
  file: string,
  extra: string[] = [],
): Promise<void> {
  await run(KCAT, ['-P', '-b', brokers, '-t', topic, '-p', '0', '-l', file, '-X', 'acks=all', ...extra]);
}

/**
 * kcat produce with librdkafka's idempotent producer (`enable.idempotence=true`): every batch carries a
 * producer id and sequence that the broker checks against the producer's last 5 batches, so the
 * difference to the plain produce row is the cost of that tracking (and of librdkafka's own bookkeeping).
 */
async function idempotentRow(
  label: string,
  broker: Server,
  file: string,
  count: number,
  size: number,
  beforeEachRound: () => Promise<void>,
): Promise<Row> {
  const kafka = new Kafka({ clientId: 'bench-admin', brokers: [broker.address], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const row: Row = {
    what: `kcat produce ${size} B idempotent (${label})`,
    size,
    bytes: count * size,
    runs: [],
  };
  try {
    for (let r = 0; r < REPEAT; r++) {
      await beforeEachRound();
      const topic = `bench-idem-${size}-${r}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      row.runs.push(
        await timed(broker, async () => {
          await kcatProduce(broker.address, topic, file, ['-X', 'enable.idempotence=true']);
          return count;
        }),
      );
      const end = await kcatConsume(broker.address, topic);
      if (end !== count) notes.push(`${row.what}: ${end} of ${count} messages stored`);
      await admin.deleteTopics({ topics: [topic] });
    }
  } finally {
    await admin.disconnect();
  }
  return row;
}

/**
 * Consumes a fresh topic from offset 0 to its end, printing every message to /dev/null (a sink that costs
 * nothing, like the baseline's discarding socket; a pipe into this process would measure the pipe).
 * Returns the end offset kcat reports, which is the number of messages on a fresh topic.
 *
 * `-o 0` rather than `-o beginning`: librdkafka 2.0 sometimes looks up the beginning offset before the
 * partition has joined its broker thread and then retries only after 500 ms, a third of the runs here.
 * The last fetch at the end of the log long-polls fetch.wait.max.ms before kcat sees the end; librdkafka's
 * 500 ms default would dominate the measurement, so it is cut to 10 ms.
 */
async function kcatConsume(brokers: string, topic: string): Promise<number> {
  const stderr = await run(KCAT, [
    ...['-C', '-b', brokers, '-t', topic, '-e', '-o', '0', '-f', '%s\n'],
    ...['-X', 'fetch.wait.max.ms=10'],
  ]);
  const end = /Reached end of topic \S+ \[0\] at offset (\d+)/.exec(stderr);
  if (!end) throw new Error(`kcat did not report the end of ${topic}: ${stderr.slice(0, 300)}`);
  return Number(end[1]);
}

/** kcat produce and consume rounds of one message file against one broker; a fresh topic per round. */
async function kcatRows(
  label: string,
  broker: Server,
  file: string,
  count: number,
  size: number,
  beforeEachRound: () => Promise<void>,
) {
  const kafka = new Kafka({ clientId: 'bench-admin', brokers: [broker.address], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const produce: Row = { what: `kcat produce ${size} B (${label})`, size, bytes: count * size, runs: [] };
  const consume: Row = { what: `kcat consume ${size} B (${label})`, size, bytes: count * size, runs: [] };
  try {
    for (let r = 0; r < REPEAT; r++) {
      await beforeEachRound();
      const topic = `bench-${size}-${r}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      produce.runs.push(
        await timed(broker, async () => {
          await kcatProduce(broker.address, topic, file);
          return count;
        }),
      );
      const run = await timed(broker, () => kcatConsume(broker.address, topic));
      consume.runs.push(run);
      if (run.messages !== count)
        notes.push(`${consume.what}: consumed ${run.messages} of ${count} messages`);
      // Keeps the broker's memory (or the data directory) to one round's worth.
      await admin.deleteTopics({ topics: [topic] });
    }
  } finally {
    await admin.disconnect();
  }
  return [produce, consume];
}

/** Fixed costs of one client run (process start, connect, metadata, teardown): one 100 B message. */
async function fixedCosts(broker: Server, one: string): Promise<string> {
  const produce: number[] = [];
  const consume: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const topic = `bench-one-${r}`;
    let start = process.hrtime.bigint();
    await kcatProduce(broker.address, topic, one);
    produce.push(seconds(start));
    start = process.hrtime.bigint();
    await kcatConsume(broker.address, topic);
    consume.push(seconds(start));
  }
  const ms = (values: number[]) => `${(median(values) * 1000).toFixed(0)} ms`;
  return `kcat with one 100 B message (fixed costs: process start, metadata, offsets, teardown): produce ${ms(produce)}, consume ${ms(consume)}`;
}

/** Raw loopback TCP: a separate Node process sends the message file to the discarding server. */
function baselineRun(sink: Server, file: string): Promise<Measurement> {
  const total = fs.statSync(file).size;
  const [host, port] = sink.address.split(':');
  const sender = `const s=require('net').connect(${port},${JSON.stringify(host)},()=>require('fs').createReadStream(${JSON.stringify(
    file,
  )},{highWaterMark:1<<16}).pipe(s));`;
  return timed(sink, async () => {
    await Promise.all([sink.expect(total), run(process.execPath, ['-e', sender])]);
    return 0;
  });
}

async function latency(brokers: string): Promise<{ e2e: number[]; ack: number[] }> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'bench-latency', numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: 'bench-latency', maxWaitTimeInMs: 1000 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: 'bench-latency', fromBeginning: true });
  const waiting = new Map<string, () => void>();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = message.key?.toString() ?? '';
      waiting.get(id)?.();
      waiting.delete(id);
    },
  });
  await joined;
  // Warm up: the first fetches after the join are not what we measure.
  const e2e: number[] = [];
  const ack: number[] = [];
  for (let i = -50; i < LATENCY; i++) {
    const id = String(i);
    const received = new Promise<void>((resolve) => waiting.set(id, resolve));
    const t0 = process.hrtime.bigint();
    await producer.send({
      topic: 'bench-latency',
      acks: -1,
      messages: [{ key: id, value: 'x'.repeat(100) }],
    });
    const t1 = process.hrtime.bigint();
    await received;
    const t2 = process.hrtime.bigint();
    if (i >= 0) {
      ack.push(Number(t1 - t0) / 1e6);
      e2e.push(Number(t2 - t0) / 1e6);
    }
  }
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  return { e2e, ack };
}

// ---------------------------------------------------------------------------------------------------------
// CRC-32C candidates. The slicing-by-8 table CRC below is the hand-written one the broker used before it
// switched to @node-rs/crc32; it stays here only so every run shows what the library buys.

const SLICING_TABLES = ((): Uint32Array[] => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[0]![n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[0]![n]!;
    for (let k = 1; k < 8; k++) {
      c = (tables[0]![c & 0xff]! ^ (c >>> 8)) >>> 0;
      tables[k]![n] = c;
    }
  }
  return tables;
})();

function slicingBy8Crc32c(data: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = SLICING_TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let crc = 0xffffffff;
  let i = 0;
  const end8 = data.length - (data.length & 7);
  for (; i < end8; i += 8) {
    const lo = (crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    crc =
      t7[lo & 0xff]! ^
      t6[(lo >>> 8) & 0xff]! ^
      t5[(lo >>> 16) & 0xff]! ^
      t4[lo >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
  }
  for (; i < data.length; i++) crc = t0[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function crcBench(): string[] {
  const candidates: [string, (b: Uint8Array) => number][] = [
    ['@node-rs/crc32 (used)', (b) => nodeRsCrc32c(b)],
    ['@aws-crypto/crc32c', (b) => awsCrc32c(b) >>> 0],
    ['slicing-by-8 (hand-written)', slicingBy8Crc32c],
  ];
  const data = Buffer.alloc(1 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  for (const [name, fn] of candidates) {
    if (fn(Buffer.from('123456789')) !== 0xe3069283 || fn(data) !== candidates[0]![1](data)) {
      throw new Error(`${name} does not compute CRC-32C`);
    }
  }
  const sizes = [100, 1024, 64 * 1024, 1 << 20];
  const out = [
    `  ${'MB/s by buffer size'.padEnd(28)} ${sizes.map((s) => `${s >= 1024 ? `${s / 1024} KiB` : `${s} B`}`.padStart(9)).join(' ')}`,
  ];
  for (const [name, fn] of candidates) {
    const cells: string[] = [];
    for (const size of sizes) {
      const slice = data.subarray(0, size);
      const rounds = Math.ceil((32 << 20) / size);
      for (let r = 0; r < Math.min(rounds, 1000); r++) fn(slice);
      const start = process.hrtime.bigint();
      for (let r = 0; r < rounds; r++) fn(slice);
      cells.push(mb((rounds * size) / seconds(start)).padStart(9));
    }
    out.push(`  ${name.padEnd(28)} ${cells.join(' ')}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

function printTable(rows: Row[], baselines: Map<number, Row>): void {
  const header = [
    'what'.padEnd(32),
    'msgs'.padStart(8),
    'MB'.padStart(6),
    's'.padStart(6),
    'MB/s'.padStart(7),
    'msgs/s'.padStart(9),
    'vs TCP'.padStart(7),
    'wall s'.padStart(7),
    'MB/s'.padStart(7),
    'srv CPU'.padStart(8),
  ].join(' ');
  process.stdout.write(`\n${' '.repeat(58)}stream (server first..last byte in)    wall\n`);
  process.stdout.write(`${header}\n${'-'.repeat(header.length)}\n`);
  const medianOf = (row: Row, pick: (m: Measurement) => number) => median(row.runs.map(pick));
  for (const row of [...rows, ...baselines.values()]) {
    const base = baselines.get(row.size)!;
    const stream = medianOf(row, (m) => m.stream);
    const wall = medianOf(row, (m) => m.wall);
    const baseStream = row.bytes / medianOf(base, (m) => m.stream);
    const messages = medianOf(row, (m) => m.messages);
    const pct = (rate: number, of: number) => `${((100 * rate) / of).toFixed(1)}%`;
    const line = [
      row.what.padEnd(32),
      String(messages || '-').padStart(8),
      mb(row.bytes).padStart(6),
      stream.toFixed(2).padStart(6),
      mb(row.bytes / stream).padStart(7),
      (messages ? Math.round(messages / stream).toString() : '-').padStart(9),
      pct(row.bytes / stream, baseStream).padStart(7),
      wall.toFixed(2).padStart(7),
      mb(row.bytes / wall).padStart(7),
      `${((100 * medianOf(row, (m) => m.cpu)) / wall).toFixed(0)}%`.padStart(8),
    ];
    process.stdout.write(`${line.join(' ')}\n`);
  }
  process.stdout.write(
    `\nMedian of ${REPEAT} runs (baseline: ${2 * REPEAT}, one before each kcat round). MB = payload bytes (message values; not newlines or protocol framing).\n` +
      'stream = first to last byte the server process (broker, or discarding Node socket) received from the\n' +
      '  client: produce, ApiVersions to the last Produce request; consume, ApiVersions to the fetch that\n' +
      '  finds the end of the log; baseline, the whole file. It leaves out process start-up and teardown.\n' +
      '  vs TCP = stream MB/s / the baseline stream MB/s for the same message file.\n' +
      'wall = spawning the sender (kcat, or a Node process for the baseline) until it has exited and the\n' +
      '  receiver has everything (kcat produce: every message acknowledged, acks=all). No ratio: start-up\n' +
      "  differs per sender (see the fixed costs below) and the baseline's Node start-up would dominate it.\n" +
      "srv CPU = the server process's CPU time / wall time (broker, or the discarding server).\n",
  );
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-bench-broker-'));
  try {
    const small = messageFile(work, SMALL, 100);
    const large = messageFile(work, LARGE, 1024);
    const one = messageFile(work, 1, 100);
    process.stdout.write(
      `broker benchmark: ${os.cpus().length} cores, node ${process.version}, ${SMALL} x 100 B and ${LARGE} x 1 KiB, ` +
        `${REPEAT} runs each\n`,
    );

    // The baseline runs interleave with the kcat rounds (one before each), so that both see the same load
    // on the machine, and use the same message files, so every ratio has its own baseline.
    const sink = await Server.start('discard');
    const baselines = new Map<number, Row>();
    const rows: Row[] = [];
    try {
      for (const [size, count] of [
        [100, SMALL],
        [1024, LARGE],
      ] as const) {
        baselines.set(size, {
          what: `raw TCP loopback, ${size} B lines`,
          size,
          bytes: size * count,
          runs: [],
        });
      }
      const baselineBefore = (size: 100 | 1024, file: string) => async () => {
        baselines.get(size)!.runs.push(await baselineRun(sink, file));
      };
      for (const label of ['memory', 'file'] as const) {
        const broker = await Server.start('broker', label === 'file' ? path.join(work, 'data') : undefined);
        try {
          rows.push(...(await kcatRows(label, broker, small, SMALL, 100, baselineBefore(100, small))));
          rows.push(await idempotentRow(label, broker, small, SMALL, 100, baselineBefore(100, small)));
          rows.push(...(await kcatRows(label, broker, large, LARGE, 1024, baselineBefore(1024, large))));
          if (label === 'memory') {
            notes.push(await fixedCosts(broker, one));
            const { e2e, ack } = await latency(broker.address);
            notes.push(
              `kafkajs latency (${LATENCY} x 100 B, one at a time, acks=-1, memory storage): ` +
                `produce->consume p50 ${percentile(e2e, 50).toFixed(2)} ms, p99 ${percentile(e2e, 99).toFixed(2)} ms; ` +
                `produce ack p50 ${percentile(ack, 50).toFixed(2)} ms, p99 ${percentile(ack, 99).toFixed(2)} ms`,
            );
          }
        } finally {
          await broker.stop();
        }
      }
      const start: number[] = [];
      for (let r = 0; r < REPEAT; r++) start.push((await baselineRun(sink, one)).wall);
      notes.push(
        `baseline Node sender with one 100 B line (fixed costs): ${(median(start) * 1000).toFixed(0)} ms`,
      );
    } finally {
      await sink.stop();
    }

    printTable(rows, baselines);
    for (const n of notes) process.stdout.write(`${n}\n`);
    process.stdout.write('\nCRC-32C (32 MB per cell):\n');
    for (const line of crcBench()) process.stdout.write(`${line}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const [, , command, mode, dataDir] = process.argv;
const entry = command === 'serve' ? serve(mode ?? 'broker', dataDir) : main();
entry.catch((err) => {
  process.stderr.write(`bench/broker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
