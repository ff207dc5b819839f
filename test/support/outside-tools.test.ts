/**
 * Pins the outside-tool rule (issue 12) end to end: a child jest runs fixtures/needs-tools.fixture.ts with
 * the tools hidden or faked, and this test reads its exit code and output, including the reporter's line.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const JEST = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const CONFIG = JSON.stringify({
  rootDir: ROOT,
  roots: ['<rootDir>/test/support/fixtures'],
  testMatch: ['**/*.fixture.ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  reporters: ['default', '<rootDir>/test/support/skipped-tools-reporter.js'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
});

let dir: string;
let emptyBin: string;
let fakeBin: string;
let hiddenPy: string;
let fakePy: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'campusg-outside-tools-'));
  emptyBin = path.join(dir, 'empty-bin');
  fakeBin = path.join(dir, 'fake-bin');
  hiddenPy = path.join(dir, 'hidden-py');
  fakePy = path.join(dir, 'fake-py');
  mkdirSync(emptyBin);
  mkdirSync(fakeBin);
  writeFileSync(path.join(fakeBin, 'kcat'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(fakeBin, 'kcat'), 0o755);
  mkdirSync(path.join(hiddenPy, 'kafka'), { recursive: true });
  writeFileSync(path.join(hiddenPy, 'kafka', '__init__.py'), 'raise ImportError("hidden by the test")\n');
  mkdirSync(path.join(fakePy, 'kafka'), { recursive: true });
  writeFileSync(path.join(fakePy, 'kafka', '__init__.py'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function childJest(env: {
  PATH: string;
  PYTHONPATH: string;
  CI?: string;
}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const { CI: _ci, ...inherited } = process.env;
    execFile(
      process.execPath,
      [JEST, '--config', CONFIG, '--ci=false'],
      {
        cwd: ROOT,
        env: { ...inherited, ...env, EXPECTED_KCAT: path.join(env.PATH, 'kcat'), FORCE_COLOR: '0' },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('tests that need an outside tool', () => {
  it('are skipped when the tool is missing, and the run ends with one line naming them and the install', async () => {
    const { code, output } = await childJest({ PATH: emptyBin, PYTHONPATH: hiddenPy });
    expect(output).toContain('Tests:       2 skipped, 2 total');
    const summary = output.split('\n').filter((l) => l.startsWith('Skipped '));
    expect(summary).toEqual([
      'Skipped 2 tests that need outside tools not installed here: kafka-python (1), kcat (1). ' +
        'To run them: sudo apt-get install -y --no-install-recommends python3-kafka kcat  ' +
        '(CI=true turns these skips into failures.)',
    ]);
    expect(code).toBe(0);
  });

  it('fail under CI=true with a message naming the tool and its install command', async () => {
    const { code, output } = await childJest({ PATH: emptyBin, PYTHONPATH: hiddenPy, CI: 'true' });
    expect(output).toContain('Tests:       2 failed, 2 total');
    expect(output).toContain(
      'kcat is not installed, and CI=true requires every test to run. ' +
        'Install it with `sudo apt-get install -y --no-install-recommends kcat`',
    );
    expect(output).toContain('kafka-python is not installed');
    expect(output).not.toMatch(/^Skipped /m);
    expect(code).toBe(1);
  });

  it('run when the tool is there, with its command resolved from PATH', async () => {
    const { code, output } = await childJest({ PATH: fakeBin, PYTHONPATH: fakePy, CI: 'true' });
    expect(output).toContain('Tests:       2 passed, 2 total');
    expect(output).not.toMatch(/^Skipped /m);
    expect(code).toBe(0);
  });
});
