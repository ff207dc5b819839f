/**
 * What a newcomer trips over in the CLI (issue 18, item 5), through the real `campusg` binary: a misspelled
 * flag is an unknown option, `start` names every busy port at once, `logs` without a runtime gives the hint
 * the other commands give, and an order's deadline is shown in real and in scaled time.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadlineLine, SYSTEM_DOWN_HINT } from '#local/cli/output';
import { closedPort } from '#test/support/ports';

const ROOT = join(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'campusg.js');

function campusg(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, _stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
    );
  });
}

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

describe('campusg for a newcomer', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'campusg-newcomer-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('reports a misspelled flag as an unknown option with a suggestion, not as a missing required one', async () => {
    const r = await campusg([
      'orders',
      'create',
      '--customer',
      'c',
      '--itme',
      'coffee:1:100',
      '--location',
      'L',
    ]);
    expect(r.stderr).toContain("error: unknown option '--itme'");
    expect(r.stderr).toContain('Did you mean --item?');
    expect(r.stderr).not.toContain('required option');
    expect(r.code).toBe(2);
  });

  it('start names every busy port in one message, each with the flag that moves it', async () => {
    const [kafka, http] = await Promise.all([listen(), listen()]);
    try {
      const aws = await closedPort();
      const r = await campusg([
        'start',
        '--no-synth',
        '--kafka-port',
        String(portOf(kafka)),
        '--http-port',
        String(portOf(http)),
        '--aws-port',
        String(aws),
        '--state-dir',
        stateDir,
        '--assembly',
        join(stateDir, 'no-assembly'),
      ]);
      expect(r.stderr).toContain(
        `ports already in use: ${portOf(kafka)} (kafka; pass --kafka-port), ${portOf(http)} (http api; pass --http-port)`,
      );
      expect(r.code).toBe(1);
    } finally {
      kafka.close();
      http.close();
    }
  });

  it('logs without a running system gives the same hint as topics', async () => {
    const env = { CAMPUSG_STATE_DIR: join(stateDir, 'none') };
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const logs = await campusg(['logs', 'payment', '--aws-endpoint', dead], env);
    const topics = await campusg(['topics', 'list', '--brokers', `127.0.0.1:${await closedPort()}`], env);
    expect(logs.stderr).toContain(`(${SYSTEM_DOWN_HINT})`);
    expect(topics.stderr).toContain(`(${SYSTEM_DOWN_HINT})`);
    expect(logs.code).toBe(1);
  });
});

describe('deadlineLine', () => {
  const order = {
    acceptDeadline: '2026-03-19T13:15:00.000Z',
    history: [{ type: 'TIMER_STARTED', at: '2026-03-19T13:00:00.000Z' }],
  };

  it('shows the real-time deadline alone at time scale 1', () => {
    expect(deadlineLine(order)).toBe('  acceptDeadline 2026-03-19T13:15:00.000Z');
  });

  it('adds when the scaled scheduler fires it: 15 minutes at x60 is 15 s after the schedule was made', () => {
    expect(deadlineLine(order, 60)).toBe(
      '  acceptDeadline 2026-03-19T13:15:00.000Z (real time); at time scale x60 the local scheduler fires it at 2026-03-19T13:00:15.000Z',
    );
  });

  it('shows nothing for an order without a deadline', () => {
    expect(deadlineLine({ acceptDeadline: null }, 60)).toBeUndefined();
  });
});
