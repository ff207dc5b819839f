/**
 * "Listen on a port and report the bound address", shared by every local HTTP server (HTTP API, AWS API
 * emulator, in-process dynalite, the DynamoDB IAM proxy): port 0 picks a free port, and the URL they
 * announce must carry the port actually bound, with an IPv6 host in brackets. A listen error is handed to
 * `describeError` so each server can say which of them could not start and what to do.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Bound {
  /** The port actually bound (the one asked for, or the free one picked for 0). */
  readonly port: number;
  /** `http://<host>:<port>`, an IPv6 host in brackets. */
  readonly url: string;
}

/** `http://<host>:<port>`, an IPv6 host in brackets. */
export function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Listens on `host:port` (0: any free port) and reports what was bound. */
export async function listenOn(
  server: Server,
  port: number,
  host: string,
  describeError: (err: NodeJS.ErrnoException) => Error = (err) => err,
): Promise<Bound> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(describeError(err));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: httpUrl(host, bound) };
}

/** Why `what` could not listen on `host:port`, a busy port said as such: for a server's own start error. */
export function cannotListen(what: string, host: string, port: number, err: NodeJS.ErrnoException): string {
  return err.code === 'EADDRINUSE'
    ? `${what} cannot listen on ${host}:${port}: the port is already in use (choose another port)`
    : `${what} cannot listen on ${host}:${port}: ${err.message}`;
}

/** Stops accepting, drops open (keep-alive) connections and resolves when the server is closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
