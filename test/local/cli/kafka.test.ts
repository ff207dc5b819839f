import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { consume } from '#local/cli/commands/consume';
import { doctor, formatReport } from '#local/cli/commands/doctor';
import { produce } from '#local/cli/commands/produce';
import { topicsCreate, topicsDelete, topicsDescribe, topicsList } from '#local/cli/commands/topics';
import { trace } from '#local/cli/commands/trace';
import { BufferIo, CliError, EXIT, NotFoundError } from '#local/cli/output';
import { resolveTarget, type Target } from '#local/cli/target';
import { type Broker, startBroker } from '#local/kafka-broker/index';
import { consumerGroupId, TOPICS } from '#shared/topology';
import { closedPort } from '#test/support/ports';

/** No runtime.json here: the tests point every command at their own broker and API. */
const stateDir = join(tmpdir(), `campusg-cli-no-runtime-${process.pid}`);

/** Runs a command body the way the CLI does: its exit code, or the code of the CliError it throws. */
async function exitOf(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CliError) return err.exitCode;
    throw err;
  }
}

describe('topics, produce, consume, trace and doctor against the embedded broker', () => {
  let broker: Broker;
  let target: Target;
  let kafka: Kafka;
  let downUrl: string;

  beforeAll(async () => {
    broker = await startBroker({ port: 0, autoCreateTopics: false });
    downUrl = `http://127.0.0.1:${await closedPort()}`;
    target = resolveTarget({ stateDir, brokers: broker.address, apiUrl: downUrl }, {}, process.cwd());
    kafka = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING, clientId: 'cli-test' });
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('creates, lists, describes and deletes a topic', async () => {
    const io = new BufferIo();
    expect(
      await topicsCreate(target, 'cli-topic', { partitions: 3, config: ['retention.ms=60000'] }, io),
    ).toBe(EXIT.OK);
    expect(io.stdout).toBe('Created topic cli-topic with 3 partition(s).\n');

    const list = new BufferIo();
    await topicsList(target, { json: true }, list);
    expect(JSON.parse(list.stdout)).toContain('cli-topic');

    const described = new BufferIo();
    await topicsDescribe(target, 'cli-topic', { json: true }, described);
    const d = JSON.parse(described.stdout);
    expect(d.partitions.map((p: { partition: number }) => p.partition)).toEqual([0, 1, 2]);
    expect(d.configs['retention.ms']).toBe('60000');

    expect(await exitOf(() => topicsCreate(target, 'cli-topic', {}, new BufferIo()))).toBe(EXIT.FAILURE);
    expect(await topicsCreate(target, 'cli-topic', { ifNotExists: true }, new BufferIo())).toBe(EXIT.OK);

    expect(await topicsDelete(target, 'cli-topic', {}, new BufferIo())).toBe(EXIT.OK);
    expect(await exitOf(() => topicsDelete(target, 'cli-topic', {}, new BufferIo()))).toBe(EXIT.NOT_FOUND);
    expect(await exitOf(() => topicsDescribe(target, 'cli-topic', {}, new BufferIo()))).toBe(EXIT.NOT_FOUND);
  });

  it('rejects bad topic names and config entries as usage errors', async () => {
    expect(await exitOf(() => topicsCreate(target, 'bad name', {}, new BufferIo()))).toBe(EXIT.USAGE);
    expect(await exitOf(() => topicsCreate(target, 'ok', { config: ['novalue'] }, new BufferIo()))).toBe(
      EXIT.USAGE,
    );
  });

  it('produces stdin lines and consumes them back with key, partition and offset', async () => {
    await topicsCreate(target, 'round-trip', { partitions: 2 }, new BufferIo());
    const input = Readable.from(['order-1={"n":1}\norder-2={"n":2}\n', '\norder-1={"n":3}\n']);
    const produced = new BufferIo(input);
    expect(await produce(target, 'round-trip', { parseKey: true, json: true }, produced)).toBe(EXIT.OK);
    expect(JSON.parse(produced.stdout)).toEqual({ topic: 'round-trip', produced: 3 });

    const out = new BufferIo();
    expect(await consume(target, 'round-trip', { fromBeginning: true, max: 3, json: true }, out)).toBe(
      EXIT.OK,
    );
    const messages = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(messages).toHaveLength(3);
    expect(messages.map((m) => `${m.key} ${m.value}`).sort()).toEqual([
      'order-1 {"n":1}',
      'order-1 {"n":3}',
      'order-2 {"n":2}',
    ]);
    // One key, one partition, in order.
    const order1 = messages.filter((m) => m.key === 'order-1');
    expect(order1[0].partition).toBe(order1[1].partition);
    expect(order1.map((m) => m.offset)).toEqual([order1[0].offset, order1[0].offset + 1]);
    expect(out.stderr).toBe('Processed a total of 3 messages\n');
  });

  it('prints tab-separated partition, offset, key and value lines by default', async () => {
    await topicsCreate(target, 'plain', { partitions: 1 }, new BufferIo());
    await produce(target, 'plain', { key: 'k' }, new BufferIo(Readable.from(['hello world\n'])));
    const out = new BufferIo();
    await consume(target, 'plain', { fromBeginning: true, max: 1 }, out);
    expect(out.stdout).toBe('0\t0\tk\thello world\n');
  });

  it('resumes a named consumer group where it stopped and stops after --timeout-ms of silence', async () => {
    await topicsCreate(target, 'grouped', { partitions: 1 }, new BufferIo());
    await produce(target, 'grouped', {}, new BufferIo(Readable.from(['a\nb\nc\n'])));
    const first = new BufferIo();
    await consume(target, 'grouped', { fromBeginning: true, group: 'cli-test-group', max: 2 }, first);
    expect(first.stdout).toBe('0\t0\tnull\ta\n0\t1\tnull\tb\n');
    const second = new BufferIo();
    await consume(
      target,
      'grouped',
      { fromBeginning: true, group: 'cli-test-group', timeoutMs: 1500 },
      second,
    );
    expect(second.stdout).toBe('0\t2\tnull\tc\n');
  });

  it('fails produce on a line without a key separator after sending the lines before it', async () => {
    await topicsCreate(target, 'strict', { partitions: 1 }, new BufferIo());
    const io = new BufferIo(Readable.from(['k=v\nno separator here\nk=w\n']));
    await expect(produce(target, 'strict', { parseKey: true }, io)).rejects.toThrow(
      /line 2 has no key separator/,
    );
    const out = new BufferIo();
    await consume(target, 'strict', { fromBeginning: true, timeoutMs: 1500 }, out);
    expect(out.stdout).toBe('0\t0\tk\tv\n');
  });

  it('exits 3 for consume and produce on a topic that does not exist', async () => {
    expect(await exitOf(() => consume(target, 'missing', { max: 1 }, new BufferIo()))).toBe(EXIT.NOT_FOUND);
    expect(await exitOf(() => produce(target, 'missing', {}, new BufferIo(Readable.from([]))))).toBe(
      EXIT.NOT_FOUND,
    );
  });

  describe('with the saga topics', () => {
    const ORDER = 'ord-trace-1';
    const at = (ms: number) => new Date(Date.parse('2025-03-19T13:00:00.000Z') + ms).toISOString();
    const event = (type: string, ms: number, source: string, payload: Record<string, unknown>) =>
      JSON.stringify({
        id: `${ORDER}-${type}`,
        type,
        timestamp: at(ms),
        source,
        correlationId: ORDER,
        payload: { orderId: ORDER, ...payload },
      });

    beforeAll(async () => {
      for (const t of TOPICS)
        await topicsCreate(target, t.name, { partitions: t.partitions, ifNotExists: true }, new BufferIo());
      const producer = kafka.producer();
      await producer.connect();
      // Later events first, on other topics: trace has to sort them.
      await producer.send({
        topic: 'payment-events',
        messages: [
          {
            key: ORDER,
            value: event('PAYMENT_AUTHORIZED', 10, 'payment', { paymentId: 'p-1', amountCents: 700 }),
          },
        ],
      });
      await producer.send({
        topic: 'order-events',
        messages: [
          {
            key: ORDER,
            value: event('ORDER_CREATED', 0, 'order', {
              customerId: 'c-1',
              items: [{ name: 'tea', quantity: 2, unitPriceCents: 350 }],
              totalCents: 700,
            }),
          },
          {
            key: 'other-order',
            value: JSON.stringify({ type: 'ORDER_CREATED', correlationId: 'other-order', timestamp: at(1) }),
          },
          { key: ORDER, value: 'not json at all' },
        ],
      });
      await producer.send({
        topic: 'timer-events',
        messages: [{ key: ORDER, value: event('TIMER_STARTED', 30, 'timer', { deadline: at(900_000) }) }],
      });
      await producer.send({ topic: 'dead-letters', messages: [{ key: ORDER, value: 'poison' }] });
      await producer.disconnect();
    });

    it('traces one order across the topics in time order', async () => {
      const io = new BufferIo();
      expect(await trace(target, ORDER, {}, io)).toBe(EXIT.OK);
      const lines = io.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`order ${ORDER}: 3 events over 30ms (times UTC)`);
      expect(
        lines.slice(1).map((l) =>
          l
            .trim()
            .split(/\s{2,}/)
            .slice(1, 4),
        ),
      ).toEqual([
        ['+0ms', 'order-events', 'ORDER_CREATED'],
        ['+10ms', 'payment-events', 'PAYMENT_AUTHORIZED'],
        ['+30ms', 'timer-events', 'TIMER_STARTED'],
      ]);
    });

    it('prints the trace as JSON with the events payloads', async () => {
      const io = new BufferIo();
      await trace(target, ORDER, { json: true }, io);
      const out = JSON.parse(io.stdout);
      expect(out.orderId).toBe(ORDER);
      expect(out.events.map((e: { type: string }) => e.type)).toEqual([
        'ORDER_CREATED',
        'PAYMENT_AUTHORIZED',
        'TIMER_STARTED',
      ]);
      expect(out.events[1].payload).toEqual({ orderId: ORDER, paymentId: 'p-1', amountCents: 700 });
    });

    it('exits 3 when no event names the order', async () => {
      await expect(trace(target, 'ord-unknown', {}, new BufferIo())).rejects.toThrow(NotFoundError);
    });

    it('reports consumer group lag and dead letters, and fails when the HTTP API is down', async () => {
      const groupId = consumerGroupId('payment', 'order-events');
      const admin = kafka.admin();
      await admin.connect();
      // The payment consumer has read the first record of the order's partition.
      const offsets = await admin.fetchTopicOffsets('order-events');
      const busy = offsets.find((o) => Number(o.high) > 0)!;
      await admin.setOffsets({
        groupId,
        topic: 'order-events',
        partitions: [{ partition: busy.partition, offset: '1' }],
      });
      await admin.disconnect();

      const report = await doctor(target);
      const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
      expect(byName.broker?.status).toBe('ok');
      expect(byName.topics?.status).toBe('ok');
      expect(byName['dead letters']).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('1 record(s)'),
      });
      expect(byName['http api']).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('ECONNREFUSED'),
      });
      expect(report.ok).toBe(false);
      const group = report.groups.find((g) => g.groupId === groupId)!;
      const total = offsets.reduce((s, o) => s + Number(o.high), 0);
      expect(group.totalLag).toBe(total - 1);
      expect(group.partitions.find((p) => p.partition === busy.partition)?.committed).toBe(1);
      expect(formatReport(report).join('\n')).toContain(`${groupId}`);
    });

    it('passes when the HTTP API answers', async () => {
      const server: Server = createServer((_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":"unauthorized"}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const report = await doctor(
          resolveTarget({ stateDir, brokers: broker.address, apiUrl: url }, {}, process.cwd()),
        );
        expect(report.checks.find((c) => c.name === 'http api')).toMatchObject({ status: 'ok' });
        expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
        expect(report.ok).toBe(true);
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });
  });

  it('reports an unreachable broker as a failure', async () => {
    const report = await doctor(
      resolveTarget(
        { stateDir, brokers: `127.0.0.1:${await closedPort()}`, apiUrl: downUrl },
        {},
        process.cwd(),
      ),
    );
    expect(report.checks.find((c) => c.name === 'broker')).toMatchObject({ status: 'fail' });
    expect(report.ok).toBe(false);
  });
});
