/**
 * Module resolution in the local Lambda environment is Lambda's: a function loads Node.js built-ins and the
 * files of its own asset, nothing else. The fixture assets sit inside the project, so without the
 * confinement Node's parent-directory lookup would find the project's node_modules and these tests would
 * pass where Lambda fails.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocalFunction } from '#local/core/types';
import { BundleModuleError, FunctionHost, foreignModulesOf } from '#local/runtime/function-host';
import { MemoryLogStore } from '#local/runtime/logs';

const ASSETS = path.join(__dirname, 'fixtures', 'lambda-assets');

const fn = (name: string, assetPath: string): LocalFunction => ({
  logicalId: `${name}Fn`,
  constructId: name,
  functionName: name,
  arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  assetPath,
  handler: 'index.handler',
  environment: {},
  logGroupName: `/aws/lambda/${name}`,
  timeoutSeconds: 10,
  memoryMb: 128,
});

describe('the start-up check of function bundles', () => {
  it('names the function and the module when a bundle needs a package that is not in its asset', async () => {
    const host = new FunctionHost({
      region: 'us-east-1',
      logs: new MemoryLogStore(),
      functions: [fn('campusg-test-needs-kafkajs', path.join(ASSETS, 'needs-project-package'))],
    });
    try {
      const failure = await host.warm().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(BundleModuleError);
      const problems = (failure as BundleModuleError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^campusg-test-needs-kafkajs: index\.js requires 'kafkajs' \(package not in the asset\)/,
      );
      expect((failure as Error).message).toContain('HOUSE_BUNDLING');
      // no process was started for it, and an invocation reports what Lambda would
      expect(host.pids('campusg-test-needs-kafkajs')).toEqual([]);
      const result = await host.invoke('campusg-test-needs-kafkajs', {});
      expect(result).toMatchObject({ ok: false, error: { errorType: 'Runtime.ImportModuleError' } });
    } finally {
      await host.stop();
    }
  });

  it('reports a file outside the asset and passes a self-contained bundle', async () => {
    expect(await foreignModulesOf(fn('outside', path.join(ASSETS, 'reaches-outside')))).toEqual([
      expect.stringMatching(/^outside: index\.js imports 'zod' \(package not in the asset\)/),
      expect.stringMatching(/^outside: index\.js requires '\.\.\/outside\.js' \(file outside the asset\)/),
    ]);
  });
});

describe('module resolution inside a function process', () => {
  let host: FunctionHost;
  let selfContained: string;

  beforeAll(() => {
    selfContained = fs.mkdtempSync(path.join(os.tmpdir(), 'fn-self-contained-'));
    fs.writeFileSync(
      path.join(selfContained, 'index.js'),
      [
        "const os = require('node:os');",
        "const dep = require('local-dep');",
        'exports.handler = async () => ({',
        '  dep: dep.name, cwd: process.cwd(), nodePath: process.env.NODE_PATH ?? null, platform: os.platform(),',
        "  zod: await import('zod').then(() => 'loaded', (err) => err.code),",
        '});',
      ].join('\n'),
    );
    fs.mkdirSync(path.join(selfContained, 'node_modules', 'local-dep'), { recursive: true });
    fs.writeFileSync(
      path.join(selfContained, 'node_modules', 'local-dep', 'index.js'),
      "module.exports = { name: 'local-dep' };",
    );
    host = new FunctionHost({
      region: 'us-east-1',
      logs: new MemoryLogStore(),
      // the real load is what is under test here, not the static check
      checkBundles: false,
      functions: [
        fn('needs-kafkajs', path.join(ASSETS, 'needs-project-package')),
        fn('reaches-outside', path.join(ASSETS, 'reaches-outside')),
        fn('self-contained', selfContained),
      ],
    });
  });

  afterAll(async () => {
    await host.stop();
    fs.rmSync(selfContained, { recursive: true, force: true });
  });

  it('fails to load a bundle that requires a package only the project has, as Lambda does', async () => {
    const result = await host.invoke('needs-kafkajs', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('Runtime.ImportModuleError');
    expect(result.error.errorMessage).toMatch(/^Cannot find module 'kafkajs'/);
  });

  it('refuses a require of a file outside the asset and an import() of a project package', async () => {
    const required = await host.invoke('reaches-outside', {});
    expect(required).toMatchObject({
      ok: false,
      error: { errorMessage: expect.stringMatching(/^Cannot find module '\.\.\/outside\.js'/) },
    });
    const imported = await host.invoke('reaches-outside', { action: 'import' });
    expect(imported).toMatchObject({
      ok: false,
      error: { errorMessage: expect.stringMatching(/^Cannot find package 'zod'/) },
    });
  });

  it('runs from its asset directory with no NODE_PATH and loads what the asset carries, its own node_modules included', async () => {
    const result = await host.invoke('self-contained', {});
    expect(result).toMatchObject({
      ok: true,
      payload: {
        dep: 'local-dep',
        cwd: fs.realpathSync(selfContained),
        nodePath: null,
        platform: os.platform(),
        zod: 'ERR_MODULE_NOT_FOUND',
      },
    });
  });
});
