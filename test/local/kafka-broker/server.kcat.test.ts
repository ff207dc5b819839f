import { brokerPool, run } from '#test/support/kafka-broker/broker-pool';
import { withTool } from '#test/support/outside-tools';

const kcat = withTool('kcat');
const KCAT = kcat.command;
const pool = brokerPool();

kcat.describe('embedded broker with kcat (librdkafka)', () => {
  it('lists the broker and topics with -L', async () => {
    const broker = await pool.start({ topics: [{ name: 'listed', partitions: 3 }] });
    const { code, stdout } = await run(KCAT, ['-b', broker.address, '-L']);
    expect(code).toBe(0);
    expect(stdout).toContain(`broker 0 at ${broker.address} (controller)`);
    expect(stdout).toContain('topic "listed" with 3 partitions');
  });

  it('produces with -P and consumes from the beginning with -C -e', async () => {
    const broker = await pool.start({ topics: [{ name: 'lines', partitions: 1 }] });
    const produced = await run(KCAT, ['-b', broker.address, '-P', '-t', 'lines', '-K:'], {
      input: 'k1:one\nk2:two\nk3:three\n',
    });
    expect(produced.code).toBe(0);
    const consumed = await run(KCAT, [
      '-b',
      broker.address,
      '-C',
      '-t',
      'lines',
      '-o',
      'beginning',
      '-e',
      '-f',
      '%k=%s@%o\n',
    ]);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout).toBe('k1=one@0\nk2=two@1\nk3=three@2\n');
  });

  it('consumes by timestamp with -o s@ts', async () => {
    const broker = await pool.start({ topics: [{ name: 'timed', partitions: 1 }] });
    await run(KCAT, ['-b', broker.address, '-P', '-t', 'timed'], { input: 'old\n' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await run(KCAT, ['-b', broker.address, '-P', '-t', 'timed'], { input: 'new\n' });
    const consumed = await run(KCAT, ['-b', broker.address, '-C', '-t', 'timed', '-o', `s@${since}`, '-e']);
    expect(consumed.stdout).toBe('new\n');
  });

  it('commits group offsets with -G and resumes after them', async () => {
    const broker = await pool.start({ topics: [{ name: 'jobs', partitions: 2 }] });
    const group = [
      '-b',
      broker.address,
      '-G',
      'kcat-group',
      '-X',
      'auto.offset.reset=earliest',
      '-e',
      '-f',
      '%s\n',
      'jobs',
    ];
    await run(KCAT, ['-b', broker.address, '-P', '-t', 'jobs', '-p', '0'], { input: 'a\nb\n' });
    await run(KCAT, ['-b', broker.address, '-P', '-t', 'jobs', '-p', '1'], { input: 'c\n' });
    const first = await run(KCAT, group, { timeoutMs: 30_000 });
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean).sort()).toEqual(['a', 'b', 'c']);

    await run(KCAT, ['-b', broker.address, '-P', '-t', 'jobs', '-p', '1'], { input: 'd\n' });
    const second = await run(KCAT, group, { timeoutMs: 30_000 });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('d\n');
    // librdkafka 2.0 negotiates flexible versions where both sides have them: ApiVersions v3 and
    // OffsetFetch v7 (request header v2, compact encodings).
    expect(broker.requests.versions(18)).toContain(3);
    expect(broker.requests.versions(9)).toEqual([7]);
  });
});
