import type { AclOperation, AclResource } from '../authorizer';
import type { Cluster } from '../cluster';
import type { RequestHeader } from '../protocol/header';
import type { Reader } from '../protocol/reader';
import type { Writer } from '../protocol/writer';
import type { Session } from '../session';

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  readonly cluster: Cluster;
  readonly header: RequestHeader;
  /** Remote address of the client, for DescribeGroups. */
  readonly clientHost: string;
  /** Aborted when the connection closes: parked requests stop waiting. */
  readonly signal: AbortSignal;
  /** The connection's listener, SASL progress and principal. */
  readonly session: Session;
  /** Whether the connection's principal may do `operation` on `resource` (always true without an authorizer). */
  allowed(operation: AclOperation, resource: AclResource): boolean;
}

/**
 * One Kafka API, as served by this broker. Each `apis/NN-name.ts` file defines one of these; the registry
 * in `apis/index.ts` collects them and ApiVersions advertises exactly their ranges.
 */
export interface ApiDefinition<Req, Res> {
  readonly key: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version among those advertised (request header v2, compact encodings). */
  readonly flexibleFrom?: number;
  decode(r: Reader, version: number): Req;
  encode(w: Writer, response: Res, version: number): void;
  /** Builds the response; `undefined` means no response is sent (Produce with acks=0). */
  handle(request: Req, version: number, ctx: RequestContext): Res | undefined | Promise<Res | undefined>;
  /** The response carrying `errorCode` in every top-level or partition error field (fault injection). */
  errorResponse(request: Req, version: number, errorCode: number): Res;
}

/** A registry entry with its request/response types erased. */
export type Api = ApiDefinition<unknown, unknown>;

export function defineApi<Req, Res>(api: ApiDefinition<Req, Res>): ApiDefinition<Req, Res> {
  return api;
}

export function isFlexible(api: Pick<Api, 'flexibleFrom'>, version: number): boolean {
  return api.flexibleFrom !== undefined && version >= api.flexibleFrom;
}
