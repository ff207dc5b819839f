/**
 * runtime.json, the one reader and writer: what the runtime writes reads back whole, and a missing,
 * unreadable-as-JSON or foreign file is reported with the reason (and any pid it names) instead of a value.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RUNTIME_FILE,
  readRuntimeFile,
  removeRuntimeFile,
  runtimeFileOf,
  writeRuntimeFile,
} from '#local/core/state-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'campusg-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reads back what it writes, leaving no temp file behind', () => {
  const file = runtimeFileOf(dir);
  expect(file).toBe(join(dir, RUNTIME_FILE));
  const info = {
    pid: 4242,
    startedAt: '2026-12-02T12:00:00.000Z',
    endpoints: { kafka: '127.0.0.1:19092', http: 'http://127.0.0.1:13000', aws: 'http://127.0.0.1:14577' },
    timeScale: 60,
  };
  writeRuntimeFile(file, info);
  expect(readRuntimeFile(file)).toEqual({ info });
  expect(readdirSync(dir)).toEqual([RUNTIME_FILE]);
  removeRuntimeFile(file);
  expect(readRuntimeFile(file)).toMatchObject({ reason: 'missing', problem: `${file} does not exist` });
});

it('says why a file is not a runtime description, with the pid it names', () => {
  const file = runtimeFileOf(dir);
  writeFileSync(file, '{"pid": 77');
  expect(readRuntimeFile(file)).toEqual({ problem: `${file} is not JSON`, reason: 'not-json' });
  writeFileSync(file, JSON.stringify({ pid: 77 }));
  const read = readRuntimeFile(file);
  expect(read).toMatchObject({ reason: 'invalid', pid: 77 });
  expect(read.problem).toContain('is not a runtime description');
});
