/**
 * Synthesizes the CampusG app for template assertions. Bundling, cdk-nag and CDK's built-in template
 * validation are off here (`aws:cdk:bundling-stacks` = []): test/infra/campusg-app.nag.test.ts synthesizes with all of them,
 * exactly as `npm run synth` does.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type CampusgApp } from '#infra/campusg-app';

export interface Synthesized extends CampusgApp {
  readonly templates: {
    readonly network: Template;
    readonly messaging: Template;
    readonly data: Template;
    readonly services: Template;
    readonly observability: Template;
  };
}

export function synthesize(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean; nag?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'campusg-cdk-'));
  const built = buildApp({
    outdir,
    nag: options.nag ?? false,
    // CDK's built-in CloudFormation schema validation costs seconds per synth; campusg-app.nag.test.ts keeps it on.
    builtinCloudFormationValidation: options.nag ?? false,
    context: {
      // As the CDK CLI does: the local runtime finds bundles through this metadata.
      'aws:cdk:enable-asset-metadata': true,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  return {
    ...built,
    templates: {
      network: Template.fromStack(built.network),
      messaging: Template.fromStack(built.messaging),
      data: Template.fromStack(built.data),
      services: Template.fromStack(built.services),
      observability: Template.fromStack(built.observability),
    },
  };
}

type Json = Record<string, any>;

/** Resources of a type as `[logicalId, resource]`. */
export function resourcesOf(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type));
}

/** The literal tail of an ARN built with Fn::Join (`.../payment-events` -> `payment-events`). */
export function arnTail(arn: unknown): string {
  if (typeof arn === 'string') return arn.split('/').pop()!;
  const join = (arn as Json)['Fn::Join'];
  if (!join) return JSON.stringify(arn);
  const parts = join[1] as unknown[];
  const last = parts[parts.length - 1];
  return typeof last === 'string' ? last.split('/').pop()! : JSON.stringify(last);
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
