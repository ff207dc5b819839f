import { ErrorCode } from '../protocol/error-codes';
import { defineApi } from './types';

/**
 * ApiVersions (key 18), versions 0-3.
 *
 * Request v0-2: (empty)
 * Request v3 (flexible, header v2): client_software_name compact_string, client_software_version
 *   compact_string, tags
 * Response v0: error_code int16, api_keys [api_key int16, min_version int16, max_version int16]
 * Response v1-2: v0 + throttle_time_ms int32 (last)
 * Response v3: error_code int16, api_keys compact[api_key, min, max, tags], throttle_time_ms int32, tags
 *
 * The response header is always v0 (no tag section), even for v3, so that a client can read the reply to a
 * version it guessed. A request at a version this broker does not serve gets a v0 body with
 * UNSUPPORTED_VERSION (35) listing key 18's range (handled by the connection).
 */
export interface ApiVersionsRequest {
  readonly clientSoftwareName: string | null;
  readonly clientSoftwareVersion: string | null;
}

export interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface ApiVersionsResponse {
  readonly errorCode: number;
  readonly apiKeys: readonly ApiVersionRange[];
  readonly throttleTimeMs: number;
}

export const API_VERSIONS_KEY = 18;

/** Ranges of every API served; set by the registry (which imports this file) to break the cycle. */
let advertised: readonly ApiVersionRange[] = [];

export function setAdvertisedApis(ranges: readonly ApiVersionRange[]): void {
  advertised = ranges;
}

export const apiVersions = defineApi<ApiVersionsRequest, ApiVersionsResponse>({
  key: API_VERSIONS_KEY,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  flexibleFrom: 3,
  decode(r, version) {
    if (version < 3) return { clientSoftwareName: null, clientSoftwareVersion: null };
    const clientSoftwareName = r.compactString();
    const clientSoftwareVersion = r.compactString();
    r.taggedFields();
    return { clientSoftwareName, clientSoftwareVersion };
  },
  encode(w, res, version) {
    w.int16(res.errorCode);
    if (version >= 3) {
      w.compactArray(res.apiKeys, (w, k) => {
        w.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion).taggedFields();
      });
      w.int32(res.throttleTimeMs).taggedFields();
      return;
    }
    w.array(res.apiKeys, (w, k) => {
      w.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion);
    });
    if (version >= 1) w.int32(res.throttleTimeMs);
  },
  handle() {
    return { errorCode: ErrorCode.NONE, apiKeys: advertised, throttleTimeMs: 0 };
  },
  errorResponse(_req, _version, errorCode) {
    return { errorCode, apiKeys: advertised, throttleTimeMs: 0 };
  },
});

/** The v0 body answering an ApiVersions request at an unsupported version. */
export function unsupportedApiVersionsResponse(): ApiVersionsResponse {
  return {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [
      { apiKey: API_VERSIONS_KEY, minVersion: apiVersions.minVersion, maxVersion: apiVersions.maxVersion },
    ],
    throttleTimeMs: 0,
  };
}
