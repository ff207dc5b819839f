import { produce } from './00-produce';
import { fetch } from './01-fetch';
import { listOffsets } from './02-list-offsets';
import { metadata } from './03-metadata';
import { offsetCommit } from './08-offset-commit';
import { offsetFetch } from './09-offset-fetch';
import { findCoordinator } from './10-find-coordinator';
import { joinGroup } from './11-join-group';
import { heartbeat } from './12-heartbeat';
import { leaveGroup } from './13-leave-group';
import { syncGroup } from './14-sync-group';
import { describeGroups } from './15-describe-groups';
import { listGroups } from './16-list-groups';
import { saslHandshake } from './17-sasl-handshake';
import { apiVersions, setAdvertisedApis } from './18-api-versions';
import { createTopics } from './19-create-topics';
import { deleteTopics } from './20-delete-topics';
import { deleteRecords } from './21-delete-records';
import { initProducerId } from './22-init-producer-id';
import { describeConfigs } from './32-describe-configs';
import { alterConfigs } from './33-alter-configs';
import { saslAuthenticate } from './36-sasl-authenticate';
import { createPartitions } from './37-create-partitions';
import { deleteGroups } from './42-delete-groups';
import { incrementalAlterConfigs } from './44-incremental-alter-configs';
import { offsetDelete } from './47-offset-delete';
import { describeCluster } from './60-describe-cluster';
import type { Api } from './types';

/**
 * The registry of served APIs: the single source of what the broker understands and what ApiVersions
 * advertises. Adding an API means adding its file and one line here.
 */
const all = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  saslHandshake,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  describeConfigs,
  alterConfigs,
  saslAuthenticate,
  createPartitions,
  deleteGroups,
  incrementalAlterConfigs,
  offsetDelete,
  describeCluster,
] as unknown as readonly Api[];

export const apis: ReadonlyMap<number, Api> = new Map(all.map((api) => [api.key, api]));

setAdvertisedApis(
  all.map((api) => ({ apiKey: api.key, minVersion: api.minVersion, maxVersion: api.maxVersion })),
);

export { API_VERSIONS_KEY, unsupportedApiVersionsResponse } from './18-api-versions';
export type { Api, RequestContext } from './types';
export { isFlexible } from './types';
