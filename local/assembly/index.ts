/**
 * The cloud assembly as the local side sees it: staleness and `cdk synth` (synth.ts), the stacks and the
 * `LocalAppModel` read from them (read.ts, one reader per resource type in resources/), and the intrinsic
 * resolver that gives every reference its local name (intrinsics.ts). Imports only local/core.
 */
export * from './intrinsics';
export * from './read';
export * from './synth';
