/**
 * The dependency lint (`npm run lint` runs it after Biome): imports flow one way. Inside shared/ the layers
 * are, lowest first, foundation (contracts, topology, errors, env) -> domain -> adapters (db, kafka,
 * scheduler, consumer, http, logging) -> services -> wiring; functions/ sits on top and imports only shared/.
 * A module may import its own layer and the layers below it, never one above. docs/conventions.md draws
 * the map; test/lint/dependency-rules.test.ts proves a backward import fails this lint.
 */

/** The layers of shared/, lowest first: [name, path pattern]. */
const SHARED_LAYERS = [
  ['foundation', '^shared/(contracts/|topology\\.ts$|errors\\.ts$|env\\.ts$)'],
  ['domain', '^shared/domain/'],
  ['adapters', '^shared/(db|kafka|scheduler|consumer|http|logging)/'],
  ['services', '^shared/services/'],
  ['wiring', '^shared/wiring/'],
];

/** One rule per layer: nothing in it imports a layer above it. */
const layerRules = SHARED_LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `shared-${name}-imports-upward`,
  comment: `shared/ flows ${SHARED_LAYERS.map(([n]) => n).join(' -> ')}: the ${name} layer may not import ${SHARED_LAYERS.slice(
    i + 1,
  )
    .map(([n]) => n)
    .join(', ')}. Move the shared code down a layer, or pass it in as a dependency.`,
  severity: 'error',
  from: { path },
  to: { path: SHARED_LAYERS.slice(i + 1).map(([, p]) => p) },
}));

/**
 * The layers of local/, lowest first: [name, path pattern]. local/core/ (the seams: model types, the
 * runtime.json state file, default ports and directories, teardown, topic creation, listen, the MSK event
 * format) imports no other local/ folder; each folder above imports its own layer and those below.
 */
const LOCAL_LAYERS = [
  ['core', '^local/core/'],
  ['parts', '^local/(instance-guard|kafka-broker|assembly)/'],
  ['emulators', '^local/(aws-api|http-api)/'],
  ['iam', '^local/iam/'],
  ['inspect', '^local/inspect/'],
  ['console', '^local/console/'],
  ['runtime', '^local/runtime/'],
  ['bridge', '^local/bridge/'],
  ['cli', '^local/cli/'],
];

const localLayerRules = LOCAL_LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `local-${name}-imports-upward`,
  comment: `local/ builds ${LOCAL_LAYERS.map(([n]) => n).join(' -> ')}: the ${name} layer may not import ${LOCAL_LAYERS.slice(
    i + 1,
  )
    .map(([n]) => n)
    .join(', ')}. Move the code it needs down (local/core for seams), or pass it in.`,
  severity: 'error',
  from: { path },
  to: { path: LOCAL_LAYERS.slice(i + 1).map(([, p]) => p) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'shared-imports-outside-shared',
      comment:
        'shared/ is the code every Lambda bundle carries: it may not import functions/, local/, infra/, test/ or bench/.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|local|infra|test|bench|localstack|bin)/' },
    },
    {
      name: 'functions-import-only-shared',
      comment:
        'An entry point in functions/ wires shared/ code into a Lambda handler; it imports shared/ and npm packages only (not another entry point, local/, infra/ or test/).',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(functions|local|infra|test|bench|localstack|bin)/' },
    },
    {
      name: 'production-imports-test',
      comment: 'Test doubles and helpers live in test/support/; production code never imports test/.',
      severity: 'error',
      from: { path: '^(shared|functions|local|infra|bench|localstack|bin)/' },
      to: { path: '^test/' },
    },

    // local/ layer rules (R2 fills in)
    ...localLayerRules,
    {
      name: 'local-core-imports-local',
      comment: 'local/core/ is what the rest of local/ builds on: it imports no other local/ folder.',
      severity: 'error',
      from: { path: '^local/core/' },
      to: { path: '^local/', pathNot: '^local/core/' },
    },
    {
      name: 'local-imports-cdk-code',
      comment:
        'local/ reads what infra/ synthesizes (cdk.out), not the CDK code: it may import infra/ plain modules (catalogue, config, checks, preflight) but not constructs, stacks or the app.',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^infra/(constructs|stacks|custom-resources|profiles)/|^infra/(app|campusg-app)\\.ts$' },
    },
    {
      name: 'local-imports-entry-points',
      comment:
        'local/ runs the functions from their bundles in cdk.out; it never imports functions/, bench/, localstack/ or bin/.',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^(functions|bench|localstack|bin)/' },
    },
    // end of local/ layer rules
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|dist)/' },
    // `import type` counts: a type-only import against the direction is still a backwards dependency.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
  },
};
