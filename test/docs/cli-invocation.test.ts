/**
 * Issue 18, item 2: no command in the docs or in what the code prints may resolve `campusg` from the public
 * registry. `npx campusg` outside the repository asks the registry for a package named campusg, so the docs
 * and the CLI's hints show `node bin/campusg.js`, which can only run this checkout's copy.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COMMANDS } from '#local/cli/main';

const ROOT = join(__dirname, '..', '..');

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    return statSync(full).isDirectory() ? filesUnder(full, ext) : ext.test(name) ? [full] : [];
  });
}

const DOCS = [
  join(ROOT, 'README.md'),
  join(ROOT, 'localstack', 'README.md'),
  ...filesUnder(join(ROOT, 'docs'), /\.md$/),
];
const CODE = ['local', 'shared', 'functions', 'infra', 'localstack', 'bin'].flatMap((d) =>
  filesUnder(join(ROOT, d), /\.(ts|js|mjs)$/),
);

/** `npx campusg`, `npx -y campusg`, `npx --yes campusg`: anything that lets npx pick the package. */
const NPX_CAMPUSG = /\bnpx\s+(?:(?:-y|--yes)\s+)?campusg\b/;

describe('how the docs and the code show the CLI', () => {
  it.each(DOCS.map((f) => [relative(ROOT, f), f]))('%s never shows npx campusg', (_name, file) => {
    const hits = readFileSync(file, 'utf8')
      .split('\n')
      .map((line, i) => `${i + 1}: ${line}`)
      .filter((line) => NPX_CAMPUSG.test(line));
    expect(hits).toEqual([]);
  });

  it('no source file prints npx campusg as a hint', () => {
    const hits = CODE.filter((f) => NPX_CAMPUSG.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(hits).toEqual([]);
  });

  it("every `node bin/campusg.js <command>` in the README names one of the CLI's commands", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const used = [...readme.matchAll(/node bin\/campusg\.js ([a-z][a-z-]*)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(5);
    const known = new Set(COMMANDS.map((c) => c.name));
    expect(used.filter((c) => !known.has(c))).toEqual([]);
  });
});
