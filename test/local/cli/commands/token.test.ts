import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { register } from '#local/cli/commands/token';
import { BufferIo } from '#local/cli/output';
import { LocalJwt } from '#local/http-api/index';

async function run(args: string[]): Promise<{ io: BufferIo; exitCode: number; usage: string }> {
  const io = new BufferIo();
  let usage = '';
  const program = new Command('campusg')
    .exitOverride()
    .configureOutput({ writeErr: (s) => (usage += s), writeOut: (s) => (usage += s) });
  register(program, io);
  const saved = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'campusg', 'token', ...args]);
    return { io, exitCode: Number(process.exitCode ?? 0), usage };
  } catch (err) {
    if (err instanceof CommanderError) return { io, exitCode: err.exitCode === 0 ? 0 : 2, usage };
    throw err;
  } finally {
    process.exitCode = saved;
  }
}

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
