/**
 * The ahead-of-time CLI build (local/cli/build.js): which bundles a call needs, that only those are
 * checked for staleness, and that a command's bundle runs on its own under plain node, without the tsx
 * fallback and without reading the project's TypeScript sources.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const build = require(path.join(ROOT, 'local/cli/build.js')) as {
  buildCli(names?: string[]): Promise<string>;
  outputsFor(argv: string[]): string[];
  staleOutputs(names: string[]): string[];
  OUT_FILE: string;
};

describe('the CLI build', () => {
  it('maps a call to the main bundle plus the bundle of the command it names', () => {
    expect(build.outputsFor(['topics', 'list'])).toEqual(['campusg', 'command-topics']);
    expect(build.outputsFor(['help', 'orders'])).toEqual(['campusg', 'command-orders']);
    expect(build.outputsFor(['--help'])).toEqual(['campusg']);
    // A misspelled command loads no command bundle: main prints the list and a suggestion.
    expect(build.outputsFor(['topcis'])).toEqual(['campusg']);
  });

  it('builds a command bundle that runs under plain node and no longer reports itself stale', async () => {
    await build.buildCli(['campusg', 'command-token']);
    expect(build.staleOutputs(['campusg', 'command-token'])).toEqual([]);
    const bundle = path.join(path.dirname(build.OUT_FILE), 'command-token.js');
    expect(fs.existsSync(bundle)).toBe(true);
    // Run the main bundle directly (not bin/, which could fall back to tsx) and record every file it loads.
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const cli = require(${JSON.stringify(build.OUT_FILE)});
         cli.main(['node', 'campusg', 'token', '--help']).then(() => {
           const mine = Object.keys(require.cache).filter((f) => !f.includes('/node_modules/'));
           process.stderr.write(JSON.stringify(mine));
         });`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: campusg token');
    const loaded = JSON.parse(r.stderr) as string[];
    // Only the two bundles: no TypeScript source, no other command's bundle.
    expect(loaded.map((f) => path.relative(ROOT, f)).sort()).toEqual([
      'dist/cli/campusg.js',
      'dist/cli/command-token.js',
    ]);
  });
});
