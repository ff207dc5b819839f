/**
 * `campusg demo` against a runtime booted from the real cloud assembly at real time (time scale 1, as a plain
 * `npm start`): the timeout order's 15-minute deadline is fast-forwarded by the runtime firing that one
 * schedule, so the demo finishes with both sagas done.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { demo } from '../../local/cli/commands/demo';
import { BufferIo } from '../../local/cli/output';
import { resolveTarget } from '../../local/cli/target';
import { type Booted, boot, ROOT } from './helpers';

let sys: Booted;

beforeAll(async () => {
  sys = await boot();
}, 180_000);

afterAll(async () => {
  await sys?.runtime.stop();
  if (sys) fs.rmSync(sys.stateDir, { recursive: true, force: true });
});

it('records the time scale in runtime.json', () => {
  const info = JSON.parse(fs.readFileSync(path.join(sys.stateDir, 'runtime.json'), 'utf8'));
  expect(info).toMatchObject({ timeScale: 1, endpoints: { aws: sys.runtime.endpoints.aws } });
});

it('drives one order to completion and one into a timeout, fast-forwarding only its deadline', async () => {
  const io = new BufferIo();
  // Only runtime.json tells the demo where the system is, as for a user in a second terminal.
  const target = resolveTarget({ stateDir: sys.stateDir }, {}, ROOT);
  const code = await demo(target, {}, io);

  expect({ code, stderr: io.stderr }).toEqual({ code: 0, stderr: '' });
  const out = io.stdout;
  const timeoutOrder = /\[timeout\] created order (\S+)/.exec(out)?.[1];
  expect(timeoutOrder).toBeDefined();
  expect(out).toContain(
    `[timeout] fast-forwarding the acceptance deadline of ${timeoutOrder} (local runtime only)`,
  );
  expect(out).toContain('[timeout] deadline passed: ORDER_TIMEOUT');
  expect(out).toContain('[timeout] funds refunded to the customer, payment voided');
  expect(out).toContain('[happy path] funds released to the runner, payment captured');
  expect(out).toContain('Demo complete.');
  // Only the timeout order's schedule was fired: the happy order's was deleted on acceptance, none is left.
  const pending = await fetch(`${sys.runtime.endpoints.aws}/_campusg/scheduler/pending`);
  expect(((await pending.json()) as { pending: unknown[] }).pending).toEqual([]);
}, 150_000);
