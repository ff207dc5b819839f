/**
 * cdk-nag (AWS Solutions and Serverless packs) runs inside the app as validation plugins, so synthesis itself
 * fails on any finding that is not acknowledged next to its construct. This file synthesizes the app as
 * `npm run synth` does (real esbuild bundling, nag, CDK's template validation) and the other modes with nag.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ALL_FUNCTIONS } from '#infra/catalogue';
import { resourcesOf, type Synthesized, synthesize } from '#test/support/cdk-app';

function violations(app: Synthesized): unknown[] {
  const report = JSON.parse(readFileSync(path.join(app.app.outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? []);
}

describe('the default app, synthesized like npm run synth', () => {
  let app: Synthesized;
  beforeAll(() => {
    app = synthesize({}, { bundle: true, nag: true });
  });

  it('has no unacknowledged cdk-nag finding', () => {
    expect(violations(app)).toEqual([]);
  });

  it('bundles every function into a minified file with a source map', () => {
    const functions = Object.fromEntries(resourcesOf(app.templates.services, 'AWS::Lambda::Function'));
    for (const spec of ALL_FUNCTIONS) {
      const assetDir = path.join(app.app.outdir, functions[spec.id]!.Metadata['aws:asset:path']);
      const bundle = path.join(assetDir, 'index.js');
      expect(existsSync(bundle)).toBe(true);
      expect(existsSync(`${bundle}.map`)).toBe(true);
      // Minified: very long lines rather than one statement per line.
      const text = readFileSync(bundle, 'utf8');
      expect(statSync(bundle).size / text.split('\n').length).toBeGreaterThan(1000);
      // What a bundle still imports (only Node.js built-ins) is checked by campusg-app.bundles.test.ts with a parser.
    }
  });
});

describe('the other modes', () => {
  it('have no unacknowledged cdk-nag finding either', () => {
    const app = synthesize(
      {
        clusterMode: 'serverless',
        esmMode: 'on-demand',
        natGateways: '1',
        jwtIssuer: 'https://login.example.edu',
        jwtAudience: 'campusg-app',
        jwtRolesClaim: 'groups',
        corsOrigins: 'https://campusg.example.edu',
        removalPolicy: 'retain',
        alarmEmail: 'ops@example.edu',
      },
      { nag: true },
    );
    expect(violations(app)).toEqual([]);
  });
});

describe('the nag wiring', () => {
  it('fails synthesis on a new, unacknowledged finding and accepts it once acknowledged', () => {
    const make = (acknowledge: boolean) => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Probe');
      // A queue without a dead-letter queue and without enforced TLS: AwsSolutions-SQS3/SQS4, Serverless-SQSRedrivePolicy.
      const queue = new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
      if (acknowledge) {
        for (const id of ['AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'Serverless-SQSRedrivePolicy']) {
          Validations.of(queue).acknowledge({ id, reason: 'probe' });
        }
      }
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
      return () => app.synth();
    };
    expect(make(false)).toThrow(/AwsSolutions-SQS4/);
    expect(make(true)).not.toThrow();
  });
});
