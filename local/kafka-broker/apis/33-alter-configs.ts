import { CLUSTER_RESOURCE } from '../authorizer';
import { ErrorCode } from '../protocol/error-codes';
import { FieldReader, FieldWriter } from '../protocol/fields';
import { defineApi, type RequestContext } from './types';

/**
 * AlterConfigs (key 33), versions 0-2 (flexible from v2).
 *
 * Request: resources [resource_type int8, resource_name string, configs [name string, value nullable string]],
 *   validate_only bool
 * Response: throttle_time_ms int32, responses [error_code int16, error_message nullable string,
 *   resource_type int8, resource_name string]
 *
 * Replaces every config of a topic (type 2) with those given (Kafka's non-incremental semantics: what is
 * not named returns to its default). Unknown names or bad values get INVALID_CONFIG (40), an unknown topic
 * 3. Broker configs (type 4) are static here: INVALID_REQUEST (42). v1 differs only in throttling; v2 uses
 * compact encodings and tag sections.
 */
export const TOPIC_RESOURCE = 2;
export const BROKER_RESOURCE = 4;

export interface AlterConfigsResource {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly { name: string; value: string | null }[];
}

export interface AlterConfigsRequest {
  readonly resources: readonly AlterConfigsResource[];
  readonly validateOnly: boolean;
}

export interface AlterConfigsResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly resourceType: number;
  readonly resourceName: string;
}

export interface AlterConfigsResponse {
  readonly throttleTimeMs: number;
  readonly responses: readonly AlterConfigsResult[];
}

/** Applies the complete new config set of one resource; shared with IncrementalAlterConfigs. */
export function alterResource(
  ctx: RequestContext,
  resourceType: number,
  resourceName: string,
  configs: (current: Readonly<Record<string, string>>) => Record<string, string> | string,
  validateOnly: boolean,
): AlterConfigsResult {
  const base = { resourceType, resourceName };
  if (resourceType === TOPIC_RESOURCE) {
    if (!ctx.allowed('AlterConfigs', { type: 'topic', name: resourceName })) {
      return {
        ...base,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage: `not authorized to alter the configs of topic ${resourceName}`,
      };
    }
    const topic = ctx.cluster.topic(resourceName);
    if (!topic) {
      return {
        ...base,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `topic ${resourceName} does not exist`,
      };
    }
    const next = configs(topic.configs);
    if (typeof next === 'string') return { ...base, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: next };
    const result = ctx.cluster.alterTopicConfigs(resourceName, next, validateOnly);
    return { ...base, errorCode: result.errorCode, errorMessage: result.message };
  }
  if (resourceType === BROKER_RESOURCE) {
    if (!ctx.allowed('AlterConfigs', { type: 'cluster', name: CLUSTER_RESOURCE })) {
      return { ...base, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'not authorized' };
    }
    return {
      ...base,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'broker configs of the embedded broker are static; set them with startBroker options',
    };
  }
  return {
    ...base,
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: `resource type ${resourceType} has no configs here`,
  };
}

/** The response of AlterConfigs and IncrementalAlterConfigs: one result per resource, in request order. */
export function alterConfigsResponse<R extends { resourceType: number; resourceName: string }>(
  resources: readonly R[],
  result: (resource: R) => AlterConfigsResult,
): AlterConfigsResponse {
  return { throttleTimeMs: 0, responses: resources.map(result) };
}

/** What both APIs answer when the whole request fails with one error code (e.g. not authorized). */
export function alterConfigsErrorResponse(
  resources: readonly { resourceType: number; resourceName: string }[],
  errorCode: number,
): AlterConfigsResponse {
  return alterConfigsResponse(resources, ({ resourceType, resourceName }) => ({
    errorCode,
    errorMessage: null,
    resourceType,
    resourceName,
  }));
}

export const alterConfigs = defineApi<AlterConfigsRequest, AlterConfigsResponse>({
  key: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 2,
  decode(r, version) {
    const f = new FieldReader(r, version >= 2);
    const resources = f.structs((f) => ({
      resourceType: f.int8(),
      resourceName: f.string(),
      configs: f.structs((f) => ({ name: f.string(), value: f.nullableString() })),
    }));
    const validateOnly = f.bool();
    f.tags();
    return { resources, validateOnly };
  },
  encode(w, res, version) {
    const f = new FieldWriter(w, version >= 2);
    f.int32(res.throttleTimeMs);
    f.structs(res.responses, (f, x) => {
      f.int16(x.errorCode).nullableString(x.errorMessage).int8(x.resourceType).string(x.resourceName);
    });
    f.tags();
  },
  handle(req, _version, ctx) {
    return alterConfigsResponse(req.resources, (resource) =>
      alterResource(
        ctx,
        resource.resourceType,
        resource.resourceName,
        () => {
          const next: Record<string, string> = {};
          for (const c of resource.configs) if (c.value !== null) next[c.name] = c.value;
          return next;
        },
        req.validateOnly,
      ),
    );
  },
  errorResponse(req, _version, errorCode) {
    return alterConfigsErrorResponse(req.resources, errorCode);
  },
});
