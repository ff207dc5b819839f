import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '#local/cli/commands/token';
import { LocalJwt } from '#local/http-api/index';
import { runRegistered } from '#test/support/cli-command';

const run = (args: string[]) => runRegistered(register, 'token', args);

describe('campusg token', () => {
  let stateDir: string;

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'campusg-token-'));
  });

  afterEach(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('prints a customer token signed with the state directory key', async () => {
    const { io, exitCode } = await run(['--customer', 'cust-7', '--state-dir', stateDir]);
    expect({ exitCode, stderr: io.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const token = io.stdout.trim();
    const claims = await (await LocalJwt.load(stateDir)).verify(token);
    expect(claims).toMatchObject({ sub: 'cust-7', 'cognito:groups': ['customers'] });
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('prints a runner token with the requested lifetime', async () => {
    const { io, exitCode } = await run(['--runner', 'run-2', '--ttl', '120', '--state-dir', stateDir]);
    expect(exitCode).toBe(0);
    const claims = await (await LocalJwt.load(stateDir)).verify(io.stdout.trim());
    expect(claims).toMatchObject({ sub: 'run-2', 'cognito:groups': ['runners'] });
    expect(claims.exp! - claims.iat!).toBe(120);
  });

  it('exits 2 when neither --customer nor --runner is given', async () => {
    const { io, exitCode } = await run(['--state-dir', stateDir]);
    expect(exitCode).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toContain('give --customer <id> or --runner <id>');
  });

  it('exits 2 when both roles are given', async () => {
    const { exitCode, usage } = await run(['--customer', 'a', '--runner', 'b', '--state-dir', stateDir]);
    expect(exitCode).toBe(2);
    expect(usage).toContain('cannot be used with');
  });

  it('exits 2 for a ttl that is not a positive whole number', async () => {
    const { exitCode, usage } = await run(['--customer', 'a', '--ttl', '-5', '--state-dir', stateDir]);
    expect(exitCode).toBe(2);
    expect(usage).toContain('--ttl must be a whole number');
  });
});
