/**
 * Every Lambda asset of the synthesized app is self-contained: the only modules a bundle may still
 * `require` or `import` are Node.js built-ins, because Lambda gives the function nothing else that the
 * project controls (the SDK it ships is a moving target and lacks packages our dependencies still use).
 * One bundled synth in serverless mode, which has every service function plus the topics custom resource.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ALL_FUNCTIONS } from '#infra/catalogue';
import { describeForeignImport, findForeignImports } from '#infra/checks/bundle-imports';
import { OPTIONAL_PEERS } from '#infra/constructs/campusg-function';
import { resourcesOf, type Synthesized, synthesize } from '#test/support/cdk-app';

type Json = Record<string, any>;

describe('the bundled cloud assembly', () => {
  let app: Synthesized;
  let assets: { id: string; dir: string }[];

  beforeAll(() => {
    app = synthesize({ clusterMode: 'serverless' }, { bundle: true });
    // The project's bundles: the catalogue's functions and the serverless topics handler. CDK's own
    // provider functions (e.g. the VPC's default-security-group custom resource) are prebuilt by CDK and
    // rely on the SDK the Lambda runtime ships, by design; they are not ours to bundle.
    const ours = new Set(ALL_FUNCTIONS.map((f) => f.id));
    assets = Object.values(app.templates).flatMap((template) =>
      resourcesOf(template, 'AWS::Lambda::Function')
        .filter(([, r]) => typeof (r as Json).Metadata?.['aws:asset:path'] === 'string')
        .filter(([id]) => ours.has(id) || id.startsWith('TopicsTopicAdminFunction'))
        .map(([id, r]) => ({ id, dir: path.join(app.app.outdir, (r as Json).Metadata['aws:asset:path']) })),
    );
  }, 240_000);

  it('has an asset for every function of the catalogue and the topics custom resource', () => {
    const ids = assets.map((a) => a.id);
    for (const spec of ALL_FUNCTIONS) expect(ids).toContain(spec.id);
    expect(ids.filter((id) => id.startsWith('TopicsTopicAdminFunction'))).toHaveLength(1);
  });

  it('leaves no require or import in any asset except Node.js built-ins', async () => {
    // each asset is parsed by esbuild; all at once, the slow part on a loaded machine
    const reports = await Promise.all(
      assets.map(async (asset) => ({ asset, report: await findForeignImports(asset.dir) })),
    );
    const problems = reports.flatMap(({ asset, report }) =>
      report.foreign.map((i) => `${asset.id}: ${describeForeignImport(i)}`),
    );
    expect(problems).toEqual([]);
    expect(reports.every(({ report }) => report.files.includes('index.js'))).toBe(true);
  }, 240_000);

  it('replaces the optional peers of the Powertools Kafka consumer with a module that names them', () => {
    const consumer = assets.find((a) => a.id === 'OrderConsumer')!;
    const text = readFileSync(path.join(consumer.dir, 'index.js'), 'utf8');
    for (const peer of OPTIONAL_PEERS)
      expect(text).toContain(`'${peer}' is not bundled into CampusG functions`);
  });
});

describe('the stand-ins for optional peers', () => {
  it.each([...OPTIONAL_PEERS])('%s throws an error that names the package and the fix', (peer) => {
    const stub = path.join(__dirname, '../../infra/checks/optional-peers', `${peer}.cjs`);
    expect(() => require(stub)).toThrow(new RegExp(`'${peer}' is not bundled.*HOUSE_BUNDLING`));
  });
});
