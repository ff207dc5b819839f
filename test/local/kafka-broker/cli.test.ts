import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';

describe('campusg broker', () => {
  it('prints its listening line, serves clients and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/campusg.js', 'broker', '--port', '0', '--partitions', '2'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
      });
      const match = /^kafka broker listening on (127\.0\.0\.1:\d+)$/.exec(line);
      expect(match).not.toBeNull();
      const admin = new Kafka({ brokers: [match![1]!], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'cli-topic' }] });
      const metadata = await admin.fetchTopicMetadata({ topics: ['cli-topic'] });
      await admin.disconnect();
      expect(metadata.topics[0]!.partitions).toHaveLength(2);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
