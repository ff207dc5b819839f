import type { Command } from 'commander';
import {
  decodeMessage,
  type ReadMessage,
  requireTopic,
  stopAndForget,
  throwawayGroupId,
  withAdmin,
} from '#local/inspect/kafka-read';
import { action, EXIT, type ExitCode, type Io, note, positiveInt, processIo } from '../output';
import { addTargetOptions, resolveTarget, type Target, type TargetFlags } from '../target';

export interface ConsumeOptions {
  readonly fromBeginning?: boolean;
  /** Consumer group; offsets are committed only when one is given (like kafka-console-consumer --group). */
  readonly group?: string;
  /** Stop after this many messages. */
  readonly max?: number;
  /** Stop when no message arrives for this long (ms). */
  readonly timeoutMs?: number;
  readonly json?: boolean;
}

/** `campusg consume <topic>`: what kafka-console-consumer does, one line per message. */
export function register(program: Command, io: Io = processIo): void {
  addTargetOptions(
    program
      .command('consume')
      .description('print the messages of a topic, one line each (like kafka-console-consumer); Ctrl-C stops')
      .argument('<topic>', 'topic to read')
      .option('--from-beginning', 'start at the earliest offset instead of new messages only')
      .option('--group <id>', 'consumer group to join and commit offsets for (default: a throwaway group)')
      .option('--max <n>', 'exit after this many messages', positiveInt('--max'))
      .option('--timeout-ms <ms>', 'exit when no message arrives for this long', positiveInt('--timeout-ms'))
      .option(
        '--json',
        'print each message as one JSON object per line (topic, partition, offset, key, value, ...)',
      ),
  ).action(
    action(io, async (topic: string, opts: TargetFlags & ConsumeOptions) => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        return await consume(resolveTarget(opts), topic, opts, io, controller.signal);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    }),
  );
}

/** The text line of one message: `partition offset key value`, tab separated; a null key or value prints as `null`. */
export function formatMessageLine(m: ReadMessage): string {
  return `${m.partition}\t${m.offset}\t${m.key ?? 'null'}\t${m.value ?? 'null'}`;
}

export function formatMessageJson(m: ReadMessage): string {
  return JSON.stringify({
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    timestamp: new Date(m.timestamp).toISOString(),
    key: m.key,
    value: m.value,
    headers: m.headers,
  });
}

/** Consumes until --max messages, --timeout-ms of silence, or the signal aborts. Returns the exit code. */
export async function consume(
  target: Target,
  topic: string,
  opts: ConsumeOptions,
  io: Io,
  signal?: AbortSignal,
): Promise<ExitCode> {
  const kafka = await target.kafka();
  await withAdmin(kafka, (admin) => requireTopic(admin, topic));

  const groupId = opts.group ?? throwawayGroupId('consume');
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  let count = 0;
  let idle: NodeJS.Timeout | undefined;
  let finish: (err?: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (err?: unknown) => {
      if (idle) clearTimeout(idle);
      if (err) reject(err);
      else resolve();
    };
  });
  let done = false;
  const end = (err?: unknown) => {
    if (done) return;
    done = true;
    finish(err);
  };
  const armIdle = () => {
    if (opts.timeoutMs === undefined) return;
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => end(), opts.timeoutMs);
  };
  if (signal?.aborted) return EXIT.OK;
  signal?.addEventListener('abort', () => end(), { once: true });

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: opts.fromBeginning ?? false });
    consumer.on(consumer.events.CRASH, (e) => end(e.payload.error));
    armIdle();
    await consumer.run({
      autoCommit: opts.group !== undefined,
      eachBatchAutoResolve: false,
      eachBatch: async ({
        batch,
        resolveOffset,
        heartbeat,
        commitOffsetsIfNecessary,
        isRunning,
        isStale,
      }) => {
        for (const m of batch.messages) {
          if (done || !isRunning() || isStale()) break;
          const msg = decodeMessage(batch.topic, batch.partition, m);
          io.out.write(`${opts.json ? formatMessageJson(msg) : formatMessageLine(msg)}\n`);
          resolveOffset(m.offset);
          count++;
          armIdle();
          if (opts.max !== undefined && count >= opts.max) {
            end();
            break;
          }
        }
        if (opts.group !== undefined) await commitOffsetsIfNecessary();
        await heartbeat();
      },
    });
    await finished;
  } finally {
    if (idle) clearTimeout(idle);
    if (opts.group === undefined) await stopAndForget(kafka, consumer, groupId);
    else await consumer.disconnect().catch(() => undefined);
  }
  note(io, `Processed a total of ${count} message${count === 1 ? '' : 's'}`);
  return EXIT.OK;
}
