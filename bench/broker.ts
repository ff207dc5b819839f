/**
 * Embedded broker benchmark. Never pass/fail: it prints numbers for this machine, in one run:
 *
 * - produce and consume throughput with kcat (librdkafka) for 100 B and 1 KiB messages, against memory
 *   storage and file storage (a temp data directory): `kcat -P -l file` and `kcat -C -e -o beginning -q`,
 *   wall clock from process start to exit;
 * - kafkajs produce -> consume latency at low load (one message at a time, acks=-1), p50/p99;
 * - baseline: raw loopback TCP throughput of a Node server that discards what it receives, sent the same
 *   bytes by a separate Node process (first to last byte at the server), and the ratios to it;
 * - CRC-32C throughput: `@aws-crypto/crc32c` vs the slicing-by-8 tables of `storage/crc32c.ts`.
 *
 * Sizes: BENCH_SMALL_COUNT (default 300000 x 100 B), BENCH_LARGE_COUNT (default 60000 x 1 KiB),
 * BENCH_LATENCY_COUNT (default 1000).
 *
 *   npm run bench:broker
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32c } from '@aws-crypto/crc32c';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../local/kafka-broker';
import { crc32c as crc32cSliceBy8 } from '../local/kafka-broker/storage/crc32c';

const KCAT = process.env.KCAT ?? '/usr/bin/kcat';
const SMALL = Number(process.env.BENCH_SMALL_COUNT ?? 300_000);
const LARGE = Number(process.env.BENCH_LARGE_COUNT ?? 60_000);
const LATENCY = Number(process.env.BENCH_LATENCY_COUNT ?? 1000);

interface Row {
  readonly what: string;
  /** Message size in bytes: picks the TCP baseline the row is compared with. */
  readonly size: number;
  readonly messages: number;
  readonly bytes: number;
  readonly seconds: number;
}

const rows: Row[] = [];
const notes: string[] = [];

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A file of `count` lines, each `size` bytes of printable payload (the newline is kcat's delimiter). */
function messageFile(dir: string, count: number, size: number): string {
  const file = path.join(dir, `msgs-${size}.txt`);
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

function run(cmd: string, args: string[], onStdout?: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', onStdout ? 'pipe' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    if (onStdout) child.stdout!.on('data', onStdout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim().slice(0, 500)}`),
        );
    });
  });
}

async function kcatRound(
  label: string,
  brokers: string,
  topic: string,
  file: string,
  count: number,
  size: number,
) {
  const bytes = count * size;
  let start = process.hrtime.bigint();
  await run(KCAT, ['-P', '-b', brokers, '-t', topic, '-p', '0', '-l', file, '-X', 'acks=all']);
  rows.push({
    what: `kcat produce ${size} B (${label})`,
    size,
    messages: count,
    bytes,
    seconds: seconds(start),
  });

  let lines = 0;
  start = process.hrtime.bigint();
  await run(
    KCAT,
    // The last fetch at the end of the log long-polls fetch.wait.max.ms before kcat sees EOF; librdkafka's
    // 500 ms default would dominate the measurement, so it is cut to 10 ms.
    [
      '-C',
      '-b',
      brokers,
      '-t',
      topic,
      '-e',
      '-o',
      'beginning',
      '-q',
      '-f',
      '%s\n',
      '-X',
      'fetch.wait.max.ms=10',
    ],
    (chunk) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    },
  );
  rows.push({
    what: `kcat consume ${size} B (${label})`,
    size,
    messages: lines,
    bytes: lines * size,
    seconds: seconds(start),
  });
  if (lines !== count) notes.push(`${label} ${size} B: consumed ${lines} of ${count} messages`);
}

/** Raw loopback TCP: a discarding server here, a sender in another Node process, first to last byte. */
async function baseline(file: string, size: number): Promise<Row> {
  const total = fs.statSync(file).size;
  let first: bigint | undefined;
  let received = 0;
  let done: (elapsed: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    done = resolve;
  });
  const server = net.createServer((socket) => {
    socket.on('data', (d: Buffer) => {
      first ??= process.hrtime.bigint();
      received += d.length;
      if (received >= total) done(seconds(first));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const sender = `const s=require('net').connect(${port},'127.0.0.1',()=>require('fs').createReadStream(${JSON.stringify(
    file,
  )},{highWaterMark:1<<16}).pipe(s));`;
  await Promise.all([run(process.execPath, ['-e', sender]), finished]);
  const elapsed = await finished;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    what: `raw TCP loopback, ${path.basename(file)}`,
    size,
    messages: 0,
    bytes: total,
    seconds: elapsed,
  };
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

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function crcBench(): string[] {
  const out: string[] = [];
  const data = Buffer.alloc(1 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  if (crc32c(data) >>> 0 !== crc32cSliceBy8(data)) throw new Error('CRC-32C implementations disagree');
  for (const [name, fn] of [
    ['@aws-crypto/crc32c', (b: Uint8Array) => crc32c(b)],
    ['storage/crc32c.ts (slicing-by-8)', crc32cSliceBy8],
  ] as const) {
    for (const size of [1024, 1 << 20]) {
      const slice = data.subarray(0, size);
      const rounds = Math.ceil((64 << 20) / size);
      for (let r = 0; r < 8; r++) fn(slice);
      const start = process.hrtime.bigint();
      for (let r = 0; r < rounds; r++) fn(slice);
      const s = seconds(start);
      out.push(
        `  ${name.padEnd(34)} ${String(size).padStart(8)} B buffers: ${mb((rounds * size) / s).padStart(7)} MB/s`,
      );
    }
  }
  return out;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'campusg-bench-broker-'));
  try {
    const small = messageFile(work, SMALL, 100);
    const large = messageFile(work, LARGE, 1024);
    process.stdout.write(
      `broker benchmark: ${os.cpus().length} cores, node ${process.version}, ${SMALL} x 100 B and ${LARGE} x 1 KiB\n`,
    );

    for (const label of ['memory', 'file'] as const) {
      const dataDir = label === 'file' ? path.join(work, 'data') : undefined;
      const broker = await startBroker({ port: 0, host: '127.0.0.1', ...(dataDir ? { dataDir } : {}) });
      const brokers = `${broker.host}:${broker.port}`;
      try {
        const kafka = new Kafka({ clientId: 'bench-admin', brokers: [brokers], logLevel: logLevel.NOTHING });
        const admin = kafka.admin();
        await admin.connect();
        await admin.createTopics({
          topics: [
            { topic: 'bench-100', numPartitions: 1 },
            { topic: 'bench-1024', numPartitions: 1 },
          ],
          waitForLeaders: true,
        });
        await admin.disconnect();
        await kcatRound(label, brokers, 'bench-100', small, SMALL, 100);
        await kcatRound(label, brokers, 'bench-1024', large, LARGE, 1024);
        if (label === 'memory') {
          const { e2e, ack } = await latency(brokers);
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

    // Same bytes as each kcat produce run (the message files), so every ratio has its own baseline.
    const baselines = new Map([
      [100, await baseline(small, 100)],
      [1024, await baseline(large, 1024)],
    ]);
    const header = [
      'what'.padEnd(36),
      'msgs'.padStart(8),
      'MB'.padStart(7),
      's'.padStart(7),
      'MB/s'.padStart(8),
      'msgs/s'.padStart(10),
      'vs TCP'.padStart(7),
    ].join(' ');
    process.stdout.write(`\n${header}\n${'-'.repeat(header.length)}\n`);
    for (const r of [...rows, ...baselines.values()]) {
      const rate = r.bytes / r.seconds;
      const base = baselines.get(r.size)!;
      const line = [
        r.what.padEnd(36),
        String(r.messages || '-').padStart(8),
        mb(r.bytes).padStart(7),
        r.seconds.toFixed(2).padStart(7),
        mb(rate).padStart(8),
        (r.messages ? Math.round(r.messages / r.seconds).toString() : '-').padStart(10),
        `${((100 * rate) / (base.bytes / base.seconds)).toFixed(1)}%`.padStart(7),
      ];
      process.stdout.write(`${line.join(' ')}\n`);
    }
    process.stdout.write(
      '\nMB = payload bytes (message values); kcat times include process start, metadata and, for produce, acks=all.\n' +
        'The TCP baseline is first to last byte at the server, so it is an upper bound, not a like-for-like run.\n',
    );
    for (const n of notes) process.stdout.write(`${n}\n`);
    process.stdout.write('\nCRC-32C (64 MB per measurement):\n');
    for (const line of crcBench()) process.stdout.write(`${line}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench/broker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
