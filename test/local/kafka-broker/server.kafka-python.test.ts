import { brokerPool, run } from '#test/support/kafka-broker/broker-pool';
import { withTool } from '#test/support/outside-tools';

/** Debian's interpreter, where python3-kafka is installed (the `python3` on PATH is another one). */
const kafkaPython = withTool('kafka-python');
const PYTHON = kafkaPython.command;
const pool = brokerPool();

const SCRIPT = `
import json, sys
from kafka import KafkaConsumer, KafkaProducer
broker, topic, group, mode = sys.argv[1:5]
if mode == 'produce':
    producer = KafkaProducer(bootstrap_servers=broker, acks='all')
    for line in sys.stdin.read().split():
        producer.send(topic, key=line.encode(), value=('value-' + line).encode())
    producer.flush()
    producer.close()
else:
    consumer = KafkaConsumer(topic, bootstrap_servers=broker, group_id=group, auto_offset_reset='earliest',
                             enable_auto_commit=False, consumer_timeout_ms=2000)
    got = [[m.key.decode(), m.value.decode(), m.offset] for m in consumer]
    consumer.commit()
    consumer.close()
    print(json.dumps(got))
`;

kafkaPython.describe('embedded broker with kafka-python', () => {
  it('produces, consumes in a group, commits and resumes after the commit', async () => {
    const broker = await pool.start({ topics: [{ name: 'py-topic', partitions: 1 }] });
    const python = (mode: string, input = '') =>
      run(PYTHON, ['-c', SCRIPT, broker.address, 'py-topic', 'py-group', mode], { input, timeoutMs: 30_000 });

    const produced = await python('produce', 'a b c');
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    const first = await python('consume');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual([
      ['a', 'value-a', 0],
      ['b', 'value-b', 1],
      ['c', 'value-c', 2],
    ]);
    expect(broker.storage.fetchOffset('py-group', 'py-topic', 0)?.offset).toBe(3n);

    await python('produce', 'd');
    const second = await python('consume');
    expect(JSON.parse(second.stdout)).toEqual([['d', 'value-d', 3]]);
  });
});
