/**
 * The dependency lint (.dependency-cruiser.cjs, run by `npm run lint`) fails on an import against the layer
 * direction and passes on the real tree. The failing cases run depcruise with the project's config on a
 * small throw-away tree (same package.json "imports"), so nothing in the working tree is touched.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

function depcruise(cwd: string, paths: string[], timeout = 120_000) {
  const run = spawnSync(DEPCRUISE, [...paths, '--config', CONFIG, '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
    timeout,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A tree with the project's package.json "imports" and tsconfig, and the given files. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'campusg-depcruise-'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', imports: pkg.imports }));
  writeFileSync(join(dir, 'tsconfig.json'), readFileSync(join(ROOT, 'tsconfig.json')));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function lint(
  files: Record<string, string>,
  paths = [...new Set(Object.keys(files).map((f) => f.split('/')[0]!))],
) {
  const dir = tree(files);
  dirs.push(dir);
  return depcruise(dir, paths);
}

describe('the dependency lint', () => {
  it('fails when the domain imports a service (a backward import inside shared/)', () => {
    const result = lint({
      'shared/services/order.ts': 'export const service = 1;\n',
      'shared/domain/order.ts':
        "import { service } from '#shared/services/order';\nexport const x = service;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('shared-domain-imports-upward');
    expect(result.output).toContain('shared/domain/order.ts → shared/services/order.ts');
  });

  it('fails on a relative backward import too, and on a type-only one', () => {
    const result = lint({
      'shared/wiring/clients.ts': 'export type Clients = { a: 1 };\n',
      'shared/db/store.ts': "import type { Clients } from '../wiring/clients';\nexport type S = Clients;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('shared-adapters-imports-upward');
  });

  it('fails when an entry point imports test/ or local/', () => {
    const result = lint(
      {
        'test/support/double.ts': 'export const double = 2;\n',
        'local/core/x.ts': 'export const y = 3;\n',
        'functions/order/api.ts':
          "import { double } from '#test/support/double';\nimport { y } from '#local/core/x';\nexport const z = double + y;\n",
      },
      ['functions'],
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('functions-import-only-shared');
    expect(result.output).toContain('production-imports-test');
  });

  it('passes a tree whose imports all point down', () => {
    const result = lint({
      'shared/contracts/index.ts': 'export const contract = 1;\n',
      'shared/domain/order.ts': "import { contract } from '#shared/contracts';\nexport const x = contract;\n",
      'shared/services/order.ts': "import { x } from '#shared/domain/order';\nexport const s = x;\n",
      'functions/order/api.ts': "import { s } from '#shared/services/order';\nexport const handler = s;\n",
    });
    expect(result.output).not.toContain('error');
    expect(result.status).toBe(0);
  });

  it('passes on the real tree', () => {
    // a whole-tree cruise takes tens of seconds on a loaded 2-core machine
    const result = depcruise(ROOT, ['shared', 'functions', 'local', 'infra', 'bench', 'localstack'], 280_000);
    expect(result.output).toContain('no dependency violations found');
    expect(result.status).toBe(0);
  }, 300_000);
});
