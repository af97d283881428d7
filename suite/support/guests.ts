import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createSimulatedDockerd } from '../../simulators/dockerd/index.js';
import { listenUnix, tempSocketPath } from '../../simulators/vsock/index.js';

/** A guest dockerd the suite serves on a temporary unix socket, for a proxy to route to. */
export interface RunningGuest extends AsyncDisposable {
  /** Absolute path of the guest's own socket (specs may talk to it directly to check placement). */
  readonly socketPath: string;
  /**
   * Requests the guest has received so far. Placement is judged by requests, not connections: a
   * proxy may keep guest connections alive and send several requests down one.
   */
  requests(): number;
  /** Closes the connections waiting for their next request (a proxy's idle keep-alive ones). */
  closeIdleConnections(): void;
  close(): Promise<void>;
}

export interface SimulatedGuestOptions {
  /** Name reported in /info and used to derive IDs. */
  readonly name: string;
  /** `amd64` or `arm64`: what /version and the containers report. */
  readonly architecture: string;
  /** Highest API version the guest serves (default 1.41). */
  readonly maxApiVersion?: string;
}

/** A simulated guest dockerd (real-behaving: containers, exec, logs, attach) on a temp socket. */
export async function startSimulatedGuest(options: SimulatedGuestOptions): Promise<RunningGuest> {
  let requests = 0;
  const sim = createSimulatedDockerd({
    name: options.name,
    onRequest: () => void (requests += 1),
    architecture: options.architecture,
    ...(options.maxApiVersion === undefined ? {} : { apiVersion: { max: options.maxApiVersion } }),
  });
  const socketPath = await tempSocketPath(options.name);
  const listener = await listenUnix(socketPath, (socket) => sim.accept(socket));
  const close = async (): Promise<void> => {
    await listener.close();
    await sim.close();
  };
  return {
    socketPath,
    requests: () => requests,
    closeIdleConnections: () => void sim.closeIdleConnections(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A path where nothing listens: connects to it are refused (a dead guest). */
export async function absentGuestPath(): Promise<string> {
  return tempSocketPath('absent');
}

/** A keep-alive guest's handler: `nth` counts the requests of the connection, from 1. */
export type KeepAliveHandler = (request: IncomingMessage, response: ServerResponse, nth: number) => void;

export interface KeepAliveGuest extends AsyncDisposable {
  readonly socketPath: string;
  /** Every request, in order: `METHOD target`, and which request of its connection it was. */
  readonly received: readonly { readonly line: string; readonly nth: number }[];
  /** Every connection accepted, in order (closed ones included). */
  readonly connections: readonly Socket[];
  close(): Promise<void>;
}

/**
 * A plain keep-alive HTTP/1.1 server (node:http) on a temp unix socket, for clauses and tests
 * about what a proxy does with the connections it keeps open to a guest. `keepAliveTimeoutMs` is
 * node:http's idle timeout (default 5000), which it also announces in `Keep-Alive: timeout=`.
 */
export async function startKeepAliveGuest(
  handler: KeepAliveHandler,
  options: { readonly keepAliveTimeoutMs?: number } = {},
): Promise<KeepAliveGuest> {
  const socketPath = await tempSocketPath('keep-alive');
  const received: { line: string; nth: number }[] = [];
  const connections: Socket[] = [];
  const perConnection = new WeakMap<Socket, number>();
  const server = createServer((request, response) => {
    const nth = (perConnection.get(request.socket) ?? 0) + 1;
    perConnection.set(request.socket, nth);
    received.push({ line: `${request.method} ${request.url}`, nth });
    handler(request, response, nth);
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.on('connection', (socket: Socket) => connections.push(socket));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { socketPath, received, connections, close, [Symbol.asyncDispose]: close };
}
