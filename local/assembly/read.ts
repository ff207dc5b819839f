/**
 * Reads the synthesized cloud assembly (cdk.out) into a `LocalAppModel`: the artifact `cdk deploy` would
 * deploy, with every intrinsic resolved to local names. Each resource goes to the reader registered for its
 * CloudFormation type (resources/); the stacks, their order, exports and outputs are read here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LocalAppModel, LocalFunction, LocalTopic } from '#local/core/types';
import {
  type CfnTemplate,
  DEFAULT_LOCAL_REGION,
  type ExportResolver,
  IntrinsicResolver,
  LOCAL_ACCOUNT_ID,
} from './intrinsics';
import { type ModelParts, RESOURCE_READERS } from './resources';

interface ManifestArtifact {
  type: string;
  environment?: string;
  properties?: {
    templateFile?: string;
    stackName?: string;
    directoryName?: string;
    parameters?: Record<string, string>;
  };
  dependencies?: string[];
  displayName?: string;
}

interface Manifest {
  artifacts?: Record<string, ManifestArtifact>;
}

export interface AssemblyStack {
  readonly artifactId: string;
  readonly stackName: string;
  readonly region: string;
  /** Folder of the (possibly nested) assembly holding the template and assets. */
  readonly dir: string;
  readonly template: CfnTemplate;
}

export interface ReadAssemblyOptions {
  readonly assemblyDir: string;
  /** Region used when the stack is environment-agnostic; default AWS_REGION or us-east-1. */
  readonly region?: string;
}

/** Every CloudFormation stack of the assembly (nested assemblies of stages included), dependencies first. */
export function readStacks(options: ReadAssemblyOptions): AssemblyStack[] {
  const defaultRegion =
    options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_LOCAL_REGION;
  const stacks: AssemblyStack[] = [];
  const visit = (dir: string) => {
    const manifestPath = path.join(dir, 'manifest.json');
    if (!fs.existsSync(manifestPath))
      throw new Error(`no cloud assembly manifest at ${manifestPath}; run npx cdk synth`);
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
    const artifacts = manifest.artifacts ?? {};
    const ordered: string[] = [];
    const seen = new Set<string>();
    const order = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const dep of artifacts[id]?.dependencies ?? []) if (artifacts[dep]) order(dep);
      ordered.push(id);
    };
    for (const id of Object.keys(artifacts)) order(id);
    for (const id of ordered) {
      const a = artifacts[id]!;
      if (a.type === 'cdk:cloud-assembly' && a.properties?.directoryName) {
        visit(path.join(dir, a.properties.directoryName));
      } else if (a.type === 'aws:cloudformation:stack' && a.properties?.templateFile) {
        const template = JSON.parse(
          fs.readFileSync(path.join(dir, a.properties.templateFile), 'utf8'),
        ) as CfnTemplate;
        const envRegion = /^aws:\/\/[^/]+\/(.+)$/.exec(a.environment ?? '')?.[1];
        const region = envRegion && envRegion !== 'unknown-region' ? envRegion : defaultRegion;
        stacks.push({ artifactId: id, stackName: a.properties.stackName ?? id, region, dir, template });
      }
    }
  };
  visit(path.resolve(options.assemblyDir));
  return stacks;
}

/**
 * A resolver per stack (cached) that also resolves `Fn::ImportValue` across the assembly's stacks; the
 * model reader and local IAM's role reader both resolve through it. `missingExport` makes the error for an
 * import no stack exports (default: a plain Error).
 */
export function stackResolvers(
  stacks: readonly AssemblyStack[],
  options: { accountId?: string; missingExport?: (message: string) => Error } = {},
): (stack: AssemblyStack) => IntrinsicResolver {
  const { accountId } = options;
  const missing = options.missingExport ?? ((message: string) => new Error(message));
  const resolvers = new Map<string, IntrinsicResolver>();
  const exportSources = new Map<string, { stack: AssemblyStack; value: unknown }>();
  for (const stack of stacks) {
    for (const output of Object.values(stack.template.Outputs ?? {})) {
      if (output.Export?.Name === undefined) continue;
      // Export names are usually literals or Sub over the stack name; resolve them with a bare resolver.
      const name = new IntrinsicResolver({
        stackName: stack.stackName,
        region: stack.region,
        accountId,
        template: stack.template,
      }).resolveString(output.Export.Name);
      exportSources.set(name, { stack, value: output.Value });
    }
  }
  const resolving = new Set<string>();
  const exports: ExportResolver = {
    importValue(name) {
      const src = exportSources.get(name);
      if (!src) throw missing(`Fn::ImportValue: no stack exports ${name}`);
      if (resolving.has(name)) throw new Error(`Fn::ImportValue: circular export ${name}`);
      resolving.add(name);
      try {
        return resolverOf(src.stack).resolveString(src.value, `Export(${name})`);
      } finally {
        resolving.delete(name);
      }
    },
  };
  const resolverOf = (stack: AssemblyStack) => {
    let r = resolvers.get(stack.artifactId);
    if (!r) {
      r = new IntrinsicResolver({
        stackName: stack.stackName,
        region: stack.region,
        accountId,
        template: stack.template,
        exports,
      });
      resolvers.set(stack.artifactId, r);
    }
    return r;
  };
  return resolverOf;
}

/** Reads cdk.out into the model the local runtime runs. */
export function readAssembly(options: ReadAssemblyOptions): LocalAppModel {
  const stacks = readStacks(options);
  if (stacks.length === 0) throw new Error(`the cloud assembly at ${options.assemblyDir} holds no stack`);

  const resolverOf = stackResolvers(stacks);

  const parts: ModelParts = {
    functions: [],
    tables: [],
    topics: new Map<string, LocalTopic>(),
    eventSourceMappings: [],
    routes: [],
    subscriptionFilters: [],
    scheduleGroups: [],
  };
  const outputs: Record<string, string> = {};

  for (const stack of stacks) {
    const r = resolverOf(stack);
    const resources = stack.template.Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (resource.Condition && !r.evaluateCondition(resource.Condition)) continue;
      RESOURCE_READERS.get(resource.Type)?.(
        {
          stack,
          logicalId,
          resource,
          resources,
          resolver: r,
          at: (property) => `${stack.stackName}.${logicalId}.${property}`,
        },
        parts,
      );
    }

    for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
      if (output.Condition && !r.evaluateCondition(output.Condition)) continue;
      try {
        outputs[name] = r.resolveString(output.Value, `${stack.stackName}.Outputs.${name}`);
      } catch {
        // an output the local runtime cannot express (a list, an unsupported attribute) is left out
      }
    }
  }

  // Topics the mappings use but the template does not declare (e.g. created by the cluster on first use).
  const { topics } = parts;
  for (const esm of parts.eventSourceMappings) {
    for (const t of [esm.topic, esm.onFailureDestination?.replace(/^kafka:\/\//, '')]) {
      if (t && !t.startsWith('arn:') && !topics.has(t))
        topics.set(t, { name: t, partitions: 1, configs: {} });
    }
  }

  return {
    region: stacks[0]!.region,
    accountId: LOCAL_ACCOUNT_ID,
    ...parts,
    topics: [...topics.values()],
    outputs,
  };
}

/** Finds a function by ARN (with or without qualifier), name, logical id or construct id. */
export function findFunction(
  model: Pick<LocalAppModel, 'functions'>,
  ref: string,
): LocalFunction | undefined {
  const unqualified =
    ref.startsWith('arn:') && ref.split(':').length > 7 ? ref.split(':').slice(0, 7).join(':') : ref;
  return model.functions.find(
    (f) => f.arn === unqualified || f.functionName === ref || f.logicalId === ref || f.constructId === ref,
  );
}
