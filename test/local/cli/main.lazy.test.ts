/**
 * The CLI loads only the command it runs (issue 18, item 4): main.ts lists the commands in COMMANDS for the
 * top-level help and imports one command file per call. These tests pin that the short list stays true to
 * the full tree, and that a call really leaves the other commands (and their dependencies) unloaded.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { buildProgram, COMMANDS, programFor } from '#local/cli/main';

const ROOT = join(__dirname, '..', '..', '..');
const argv = (...args: string[]) => ['node', 'campusg', ...args];

/** Loads main.ts through tsx in a fresh process, builds the program for `args`, lists what got loaded. */
function loadedFor(args: string[]): Promise<{ commands: string[]; packages: string[] }> {
  const script = `
    require('tsx/cjs/api').register();
    const { programFor } = require('./local/cli/main.ts');
    programFor(${JSON.stringify(argv(...args))});
    const files = Object.keys(require.cache);
    const commands = files.filter((f) => f.includes('/local/cli/commands/')).map((f) => f.split('/').pop());
    const packages = ['kafkajs', '@aws-sdk/client-scheduler', '@aws-sdk/client-dynamodb', 'dynalite']
      .filter((p) => files.some((f) => f.includes('/node_modules/' + p + '/')));
    console.log(JSON.stringify({ commands: commands.sort(), packages }));
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('campusg main', () => {
  it('lists every command of the full tree, in its order, with the same usage and description', () => {
    const full = buildProgram()
      .commands.map((c) => c.name())
      .filter((n) => n !== 'help');
    expect(COMMANDS.map((c) => c.name)).toEqual(full);
    expect(programFor(argv('--help')).helpInformation()).toBe(buildProgram().helpInformation());
  });

  it.each([
    [['topics', 'list'], ['topics']],
    [['help', 'orders'], ['orders']],
    [['--help'], []],
    [['no-such-command'], []],
  ])('for %j registers %j and no other command', (args, registered) => {
    const program = programFor(argv(...args));
    const names = program.commands.map((c) => c.name());
    if (registered.length > 0) {
      expect(names).toEqual(registered);
      // the real command, with its subcommands and options, not a name-only entry
      expect(program.commands[0]!.commands.length).toBeGreaterThan(0);
    } else {
      // name-only entries for the help and commander's "unknown command" suggestion
      expect(names).toEqual(COMMANDS.map((c) => c.name));
      expect(program.commands.every((c) => c.commands.length === 0 && c.options.length === 0)).toBe(true);
    }
  });

  it('loads one command file for `topics list` and none for `--help`', async () => {
    const topics = await loadedFor(['topics', 'list']);
    expect(topics.commands).toEqual(['topics.ts']);
    expect(topics.packages).toEqual(['kafkajs']);
    const help = await loadedFor(['--help']);
    expect(help).toEqual({ commands: [], packages: [] });
  });
});
