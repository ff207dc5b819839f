/**
 * The contract between the assembly reader and its resource readers: one `ResourceReader` per
 * CloudFormation resource type (registered by type in `index.ts`, the way the broker has one file per Kafka
 * API). A reader gets one resource with the stack's intrinsic resolver and adds what it describes to the
 * model being built; a type with no reader is not part of what the local runtime runs.
 */
import type {
  LocalEventSourceMapping,
  LocalFunction,
  LocalRoute,
  LocalSubscriptionFilter,
  LocalTable,
  LocalTopic,
} from '#local/core/types';
import type { CfnResource, IntrinsicResolver } from '../intrinsics';

/** One stack of the cloud assembly. */
export interface AssemblyStackRef {
  readonly stackName: string;
  readonly region: string;
  /** Folder of the (possibly nested) assembly holding the template and assets. */
  readonly dir: string;
}

export interface ResourceContext {
  readonly stack: AssemblyStackRef;
  readonly logicalId: string;
  readonly resource: CfnResource;
  /** The other resources of the same template (a route reads its integration and authorizer). */
  readonly resources: Readonly<Record<string, CfnResource>>;
  /** Resolves intrinsics against this stack, with local names. */
  readonly resolver: IntrinsicResolver;
  /** `<stack>.<logicalId>.<property>`: where a value came from, for error messages. */
  at(property: string): string;
}

/** The parts of the `LocalAppModel` that resources contribute to (topics by name: the last one wins). */
export interface ModelParts {
  readonly functions: LocalFunction[];
  readonly tables: LocalTable[];
  readonly topics: Map<string, LocalTopic>;
  readonly eventSourceMappings: LocalEventSourceMapping[];
  readonly routes: LocalRoute[];
  readonly subscriptionFilters: LocalSubscriptionFilter[];
  readonly scheduleGroups: string[];
}

export type ResourceReader = (resource: ResourceContext, model: ModelParts) => void;
