import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
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

  it('requires SASL on a second port given by flags and a credentials file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'campusg-sasl-'));
    const file = path.join(dir, 'credentials.json');
    writeFileSync(file, JSON.stringify({ users: { carol: 'carol-secret' } }));
    const child = spawn(
      process.execPath,
      [
        'bin/campusg.js',
        'broker',
        '--port',
        '0',
        '--sasl-port',
        '0',
        '--sasl-credentials',
        file,
        '--sasl-user',
        'dave:dave:secret',
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const lines: string[] = [];
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          lines.push(line);
          if (lines.length === 2) resolve();
        });
        child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
      });
      const sasl = /^kafka broker SASL listener on (127\.0\.0\.1:\d+)$/.exec(lines[1]!);
      expect(sasl).not.toBeNull();
      for (const [username, password] of [
        ['carol', 'carol-secret'],
        ['dave', 'dave:secret'],
      ] as const) {
        const admin = new Kafka({
          brokers: [sasl![1]!],
          logLevel: logLevel.NOTHING,
          sasl: { mechanism: 'scram-sha-512', username, password },
        }).admin();
        await admin.connect();
        expect(await admin.listTopics()).toEqual([]);
        await admin.disconnect();
      }
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
