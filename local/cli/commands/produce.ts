import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { type Message, Partitioners } from 'kafkajs';
import { requireTopic, withAdmin } from '#local/inspect/kafka-read';
import { action, EXIT, type ExitCode, type Io, note, printJson, processIo, UsageError } from '../output';
import { addTargetOptions, resolveTarget, type Target, type TargetFlags } from '../target';

export interface ProduceOptions {
  /** Key for every message (ignored for lines whose key is parsed with --parse-key). */
  readonly key?: string;
  /** Split each line into key and value at the first separator (kafka-console-producer's parse.key). */
  readonly parseKey?: boolean;
  /** Key separator for --parse-key (key.separator); default `=`. */
  readonly keySeparator?: string;
  readonly json?: boolean;
}

/** `campusg produce <topic>`: what kafka-console-producer does, one message per stdin line. */
export function register(program: Command, io: Io = processIo): void {
  addTargetOptions(
    program
      .command('produce')
      .description(
        'send one message per stdin line to a topic (like kafka-console-producer); blank lines are skipped',
      )
      .argument('<topic>', 'topic to write to')
      .option('--key <key>', 'message key for every line (the order id keeps one order in one partition)')
      .option('--parse-key', 'read each line as key<separator>value (kafka-console-producer parse.key=true)')
      .option('--key-separator <sep>', 'separator between key and value for --parse-key', '=')
      .option('--json', 'print a JSON summary instead of text')
      .addHelpText(
        'after',
        '\nExamples:\n  echo \'{"type":"PING"}\' | campusg produce order-events --key order-1\n' +
          '  printf \'order-1={"a":1}\\norder-2={"a":2}\\n\' | campusg produce order-events --parse-key',
      ),
  ).action(
    action(io, async (topic: string, opts: TargetFlags & ProduceOptions) =>
      produce(resolveTarget(opts), topic, opts, io),
    ),
  );
}

/** Turns one input line into a message, or throws a usage error naming the line. */
export function lineToMessage(text: string, lineNo: number, opts: ProduceOptions): Message {
  if (!opts.parseKey) return { key: opts.key ?? null, value: text };
  const sep = opts.keySeparator ?? '=';
  if (sep === '') throw new UsageError('--key-separator must not be empty');
  const at = text.indexOf(sep);
  if (at < 0) {
    throw new UsageError(
      `line ${lineNo} has no key separator ${JSON.stringify(sep)} (--parse-key expects key${sep}value)`,
    );
  }
  return { key: text.slice(0, at), value: text.slice(at + sep.length) };
}

/** Reads stdin to its end and sends each line as it arrives (batched while the broker is busy). */
export async function produce(
  target: Target,
  topic: string,
  opts: ProduceOptions,
  io: Io,
): Promise<ExitCode> {
  if (opts.parseKey && opts.key !== undefined)
    throw new UsageError('--key and --parse-key exclude each other');
  const kafka = await target.kafka();
  await withAdmin(kafka, (admin) => requireTopic(admin, topic));
  // The services' partitioner (murmur2, like Java clients): a key lands where their events for it do.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();

  const pending: Message[] = [];
  let sent = 0;
  let failure: unknown;
  let sending: Promise<void> | undefined;
  const flush = async () => {
    while (pending.length > 0 && failure === undefined) {
      const batch = pending.splice(0, 500);
      try {
        await producer.send({ topic, messages: batch });
        sent += batch.length;
      } catch (err) {
        failure = err;
      }
    }
    sending = undefined;
  };

  const rl = createInterface({ input: io.in, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  let lineNo = 0;
  try {
    for await (const raw of rl) {
      lineNo++;
      if (failure !== undefined) break;
      const text = raw.replace(/\r$/, '');
      if (text.trim() === '') continue;
      pending.push(lineToMessage(text, lineNo, opts));
      sending ??= flush();
    }
    while (sending) await sending;
    if (failure !== undefined) throw failure;
  } finally {
    rl.close();
    // Lines read before a bad one still go out, like the console producer.
    while (sending) await sending;
    await producer.disconnect().catch(() => undefined);
  }
  if (opts.json) printJson(io, { topic, produced: sent });
  else note(io, `Produced ${sent} message${sent === 1 ? '' : 's'} to ${topic}`);
  return EXIT.OK;
}
