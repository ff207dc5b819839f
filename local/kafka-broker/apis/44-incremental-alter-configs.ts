import { ProtocolViolationError } from '../errors';
import type { Reader } from '../protocol/reader';
import { topicConfigDefinition } from '../topic-configs';
import {
  type AlterConfigsResponse,
  alterConfigsErrorResponse,
  alterConfigsResponse,
  alterResource,
} from './33-alter-configs';
import { defineApi } from './types';

/**
 * IncrementalAlterConfigs (key 44), versions 0-1 (v1 flexible).
 *
 * Request v0: resources [resource_type int8, resource_name string,
 *   configs [name string, config_operation int8, value nullable string]], validate_only bool
 * Request v1: the same with compact strings/arrays and tag sections
 * Response v0: throttle_time_ms int32, responses [error_code int16, error_message nullable string,
 *   resource_type int8, resource_name string]
 * Response v1: the same, compact and tagged
 *
 * Changes only the configs named: 0 SET, 1 DELETE (back to the default), 2 APPEND and 3 SUBTRACT (list
 * configs such as cleanup.policy). Validation and the rest as AlterConfigs (33-alter-configs.ts).
 */
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

export interface IncrementalAlterConfigsRequest {
  readonly resources: readonly {
    resourceType: number;
    resourceName: string;
    configs: readonly { name: string; operation: number; value: string | null }[];
  }[];
  readonly validateOnly: boolean;
}

function applyChanges(
  current: Readonly<Record<string, string>>,
  changes: IncrementalAlterConfigsRequest['resources'][number]['configs'],
): Record<string, string> | string {
  const next = { ...current };
  for (const change of changes) {
    const { name, operation, value } = change;
    if (operation === SET) {
      if (value === null) return `SET of ${name} needs a value`;
      next[name] = value;
    } else if (operation === DELETE) {
      delete next[name];
    } else if (operation === APPEND || operation === SUBTRACT) {
      const def = topicConfigDefinition(name);
      if (def?.rule.kind !== 'list') return `${name} is not a list config; APPEND and SUBTRACT need one`;
      const items = (next[name] ?? def.defaultValue).split(',').filter((v) => v !== '');
      const given = (value ?? '').split(',').filter((v) => v !== '');
      const result =
        operation === APPEND
          ? [...items, ...given.filter((v) => !items.includes(v))]
          : items.filter((v) => !given.includes(v));
      next[name] = result.join(',');
    } else {
      return `config operation ${operation} for ${name} is not 0 (SET), 1 (DELETE), 2 (APPEND) or 3 (SUBTRACT)`;
    }
  }
  return next;
}

export const incrementalAlterConfigs = defineApi<IncrementalAlterConfigsRequest, AlterConfigsResponse>({
  key: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 1,
  decode(r, version) {
    const flexible = version >= 1;
    const string = (r: Reader) => (flexible ? r.compactString() : r.string());
    const nullable = (r: Reader) => (flexible ? r.compactNullableString() : r.nullableString());
    const array = <T>(r: Reader, item: (r: Reader) => T): T[] => {
      const items = flexible ? r.compactArray(item) : r.array(item);
      if (items === null) throw new ProtocolViolationError('null where a non-nullable array is required');
      return items;
    };
    const resources = array(r, (r) => {
      const resourceType = r.int8();
      const resourceName = string(r);
      const configs = array(r, (r) => {
        const config = { name: string(r), operation: r.int8(), value: nullable(r) };
        if (flexible) r.taggedFields();
        return config;
      });
      if (flexible) r.taggedFields();
      return { resourceType, resourceName, configs };
    });
    const validateOnly = r.bool();
    if (flexible) r.taggedFields();
    return { resources, validateOnly };
  },
  encode(w, res, version) {
    w.int32(res.throttleTimeMs);
    if (version >= 1) {
      w.compactArray(res.responses, (w, x) => {
        w.int16(x.errorCode).compactNullableString(x.errorMessage).int8(x.resourceType);
        w.compactString(x.resourceName).taggedFields();
      });
      w.taggedFields();
      return;
    }
    w.array(res.responses, (w, x) => {
      w.int16(x.errorCode).nullableString(x.errorMessage).int8(x.resourceType).string(x.resourceName);
    });
  },
  handle(req, _version, ctx) {
    return alterConfigsResponse(req.resources, (resource) =>
      alterResource(
        ctx,
        resource.resourceType,
        resource.resourceName,
        (current) => applyChanges(current, resource.configs),
        req.validateOnly,
      ),
    );
  },
  errorResponse(req, _version, errorCode) {
    return alterConfigsErrorResponse(req.resources, errorCode);
  },
});
