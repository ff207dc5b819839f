import { Command, CommanderError } from 'commander';
import { BufferIo, type Io } from '#local/cli/output';

/**
 * Runs one `campusg <command> ...` in-process, as main.ts would: the command file's `register` on a fresh
 * program, commander's exits turned into exit codes (usage errors 2, help 0), process.exitCode restored.
 * Returns the command's output, its exit code and commander's own usage text.
 */
export async function runRegistered(
  register: (program: Command, io: Io) => void,
  command: string,
  args: readonly string[],
): Promise<{ io: BufferIo; exitCode: number; usage: string }> {
  const io = new BufferIo();
  let usage = '';
  const program = new Command('campusg')
    .exitOverride()
    .configureOutput({ writeErr: (s) => (usage += s), writeOut: (s) => (usage += s) });
  register(program, io);
  const saved = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'campusg', command, ...args]);
    return { io, exitCode: Number(process.exitCode ?? 0), usage };
  } catch (err) {
    if (err instanceof CommanderError) return { io, exitCode: err.exitCode === 0 ? 0 : 2, usage };
    throw err;
  } finally {
    process.exitCode = saved;
  }
}
