import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_VERSIONS_KEY, type Api, apis, isFlexible, unsupportedApiVersionsResponse } from './apis';
import type { RequestContext } from './apis/types';
import type { BrokerLogger, Cluster } from './cluster';
import { ProtocolViolationError, UnsupportedApiError } from './errors';
import type { FaultInjector } from './faults';
import { ErrorCode } from './protocol/error-codes';
import { FrameDecoder, frameChunks } from './protocol/frame';
import {
  peekRequestIds,
  type RequestHeader,
  readRequestHeader,
  writeResponseHeader,
} from './protocol/header';
import { Reader } from './protocol/reader';
import { Writer } from './protocol/writer';
import { type Listener, Session } from './session';

/** A response slot, kept in request order; `done` once the response (or its absence) is known. */
interface Slot {
  done: boolean;
  chunks: Buffer[] | undefined;
}

/** Stop reading from a client with this many unanswered requests (parked fetches count). */
const MAX_IN_FLIGHT = 256;

/** What a client may send on a SASL listener before it has authenticated (anything else closes it). */
const BEFORE_AUTHENTICATION = new Set([API_VERSIONS_KEY, 17, 36]);

/**
 * One client connection: splits frames, dispatches each request to its API as soon as it arrives (so
 * side effects happen in request order), and writes the responses strictly in request order even while
 * an earlier Fetch, JoinGroup or SyncGroup is parked.
 *
 * Framing, header and version violations close this connection (with a log line) and affect nothing else.
 * A handler that throws is a broker bug: it is logged and answered with UNKNOWN_SERVER_ERROR.
 *
 * On a SASL listener only ApiVersions, SaslHandshake and SaslAuthenticate are served until the client has
 * authenticated; any other request closes the connection, as Kafka does. After SaslHandshake v0 the
 * tokens arrive as bare size-prefixed frames and are answered the same way. A failed authentication is
 * answered, then the connection is closed.
 */
export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly slots: Slot[] = [];
  private readonly abort = new AbortController();
  private readonly peer: string;
  private readonly session: Session;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly cluster: Cluster,
    private readonly faults: FaultInjector,
    private readonly logger: BrokerLogger,
    maxFrameBytes: number,
    listener: Listener,
    private readonly onClose: (connection: Connection) => void,
  ) {
    this.session = new Session(listener);
    this.decoder = new FrameDecoder(maxFrameBytes);
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('end', () => {
      if (this.decoder.pendingBytes > 0) {
        this.logger.warn(
          `closing ${this.peer}: connection ended inside a frame (${this.decoder.pendingBytes} bytes)`,
        );
      }
      this.close();
    });
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.close());
  }

  /**
   * Closes the connection; parked requests stop waiting and their responses are discarded. `graceful`
   * lets the responses already written reach the client first.
   */
  close(reason?: string, graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.logger.warn(`closing ${this.peer}: ${reason}`);
    this.abort.abort();
    this.slots.length = 0;
    if (graceful) this.socket.destroySoon();
    else this.socket.destroy();
    this.onClose(this);
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.close(describe(err));
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.dispatch(frame);
    }
    if (this.slots.length >= MAX_IN_FLIGHT) this.socket.pause();
  }

  private dispatch(frame: Buffer): void {
    if (this.session.rawTokens) {
      this.serveRawToken(frame);
      return;
    }
    let api: Api;
    let header: RequestHeader;
    let request: unknown;
    try {
      const ids = peekRequestIds(frame);
      const found = apis.get(ids.apiKey);
      if (!found) throw new UnsupportedApiError(`unknown API key ${ids.apiKey}`);
      if (ids.apiVersion < found.minVersion || ids.apiVersion > found.maxVersion) {
        if (ids.apiKey === API_VERSIONS_KEY) {
          this.answerUnsupportedApiVersions(found, ids.correlationId);
          return;
        }
        throw new UnsupportedApiError(
          `${found.name} v${ids.apiVersion} is not served (versions ${found.minVersion}-${found.maxVersion})`,
        );
      }
      if (this.session.mustAuthenticate && !BEFORE_AUTHENTICATION.has(ids.apiKey)) {
        throw new ProtocolViolationError(
          `${found.name} before SASL authentication on a ${this.session.listener.securityProtocol} listener; ` +
            'the client must authenticate first (SaslHandshake, then SaslAuthenticate)',
        );
      }
      api = found;
      const r = new Reader(frame);
      header = readRequestHeader(r, (_key, version) => isFlexible(found, version));
      request = api.decode(r, header.apiVersion);
      this.cluster.requests.record(api.key, header.apiVersion);
    } catch (err) {
      this.close(describe(err));
      return;
    }
    const slot: Slot = { done: false, chunks: undefined };
    this.slots.push(slot);
    this.serve(api, header, request, slot).catch((err) => this.close(`failed to answer: ${describe(err)}`));
  }

  private async serve(api: Api, header: RequestHeader, request: unknown, slot: Slot): Promise<void> {
    const version = header.apiVersion;
    const fault = this.faults.take(api.key);
    if (fault === 'drop') {
      this.close(`fault injection dropped ${api.name} v${version}`);
      return;
    }
    let response: unknown;
    if (typeof fault === 'object' && 'errorCode' in fault && !fault.served) {
      response = api.errorResponse(request, version, fault.errorCode);
    } else {
      try {
        response = await api.handle(request, version, this.context(header));
      } catch (err) {
        this.logger.error(`${api.name} v${version} from ${this.peer} failed: ${describe(err)}`);
        response = api.errorResponse(request, version, ErrorCode.UNKNOWN_SERVER_ERROR);
      }
    }
    if (typeof fault === 'object' && 'errorCode' in fault && fault.served && response !== undefined) {
      response = api.errorResponse(request, version, fault.errorCode);
    }
    if (fault === 'dropResponse') {
      this.close(`fault injection dropped the response to ${api.name} v${version}`);
      return;
    }
    if (typeof fault === 'object' && 'delayMs' in fault)
      await sleep(fault.delayMs, undefined, { signal: this.abort.signal }).catch(() => {});
    if (this.closed) return;
    if (response !== undefined) {
      const w = new Writer();
      writeResponseHeader(w, header.correlationId, isFlexible(api, version) && api.key !== API_VERSIONS_KEY);
      api.encode(w, response, version);
      slot.chunks = frameChunks(w.toChunks());
    }
    slot.done = true;
    this.flush();
  }

  /** One SASL token after SaslHandshake v0: answered with a bare size-prefixed frame, or a close. */
  private serveRawToken(frame: Buffer): void {
    const exchange = this.session.exchange;
    if (!exchange) {
      this.close('SASL token without a mechanism');
      return;
    }
    const slot: Slot = { done: false, chunks: undefined };
    this.slots.push(slot);
    exchange
      .step(frame)
      .then((step) => {
        if (this.closed) return;
        if (step.kind === 'failed') {
          this.close(`${exchange.mechanism} authentication failed: ${step.message}`);
          return;
        }
        if (step.kind === 'done') this.session.succeed(step.principal);
        slot.chunks = frameChunks([step.bytes]);
        slot.done = true;
        this.flush();
      })
      .catch((err) => this.close(`SASL exchange failed: ${describe(err)}`));
  }

  private answerUnsupportedApiVersions(api: Api, correlationId: number): void {
    const w = new Writer();
    writeResponseHeader(w, correlationId, false);
    api.encode(w, unsupportedApiVersionsResponse(), 0);
    this.slots.push({ done: true, chunks: frameChunks(w.toChunks()) });
    this.flush();
  }

  private context(header: RequestHeader): RequestContext {
    const { cluster, session } = this;
    return {
      cluster,
      header,
      clientHost: `/${this.socket.remoteAddress ?? ''}`,
      signal: this.abort.signal,
      session,
      allowed: (operation, resource) =>
        cluster.authorizer === undefined ||
        cluster.authorizer.authorize(session.principal, operation, resource),
    };
  }

  private flush(): void {
    if (this.closed) return;
    const ready: Buffer[] = [];
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const chunks = this.slots.shift()!.chunks;
      if (chunks) ready.push(...chunks);
    }
    if (ready.length > 0) {
      this.socket.cork();
      for (const chunk of ready) this.socket.write(chunk);
      this.socket.uncork();
    }
    if (this.slots.length === 0 && this.session.closeAfterResponse !== undefined) {
      this.close(this.session.closeAfterResponse, true);
      return;
    }
    if (this.slots.length < MAX_IN_FLIGHT && this.socket.isPaused()) this.socket.resume();
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
