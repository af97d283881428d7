import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSimulatedDockerd } from '../../simulators/dockerd/index.js';
import { listenUnix, tempSocketPath } from '../../simulators/vsock/index.js';
import { recordExchange } from './transcript.js';

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

/** One request as a scripted guest received it: the raw head text and the body bytes. */
export interface ReceivedRequest {
  readonly head: string;
  readonly requestLine: string;
  /** Header fields in wire order, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** How a scripted guest answers one request: raw bytes, and whether to close afterwards. */
export type ScriptedAnswer = (request: ReceivedRequest, socket: Duplex) => void;

export interface ScriptedGuest extends RunningGuest {
  /** Every request received so far, in order. */
  readonly received: readonly ReceivedRequest[];
}

function parseHead(head: string): Pick<ReceivedRequest, 'requestLine' | 'headers'> {
  const [requestLine = '', ...lines] = head.split('\r\n');
  const headers = lines
    .filter((line) => line !== '')
    .map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
  return { requestLine, headers };
}

function bodyLength(headers: ReceivedRequest['headers']): number | 'chunked' {
  const te = headers.find(([name]) => name.toLowerCase() === 'transfer-encoding');
  if (te !== undefined && /chunked/i.test(te[1])) return 'chunked';
  const cl = headers.find(([name]) => name.toLowerCase() === 'content-length');
  return cl === undefined ? 0 : Number(cl[1]);
}

/** Decodes a complete chunked body at the start of `bytes`; undefined while incomplete. */
function dechunk(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd === -1) return undefined;
    const size = Number.parseInt(bytes.toString('latin1', at, lineEnd).split(';')[0]!, 16);
    at = lineEnd + 2;
    if (size === 0) return bytes.indexOf('\r\n', at) === -1 ? undefined : Buffer.concat(parts);
    if (bytes.length < at + size + 2) return undefined;
    parts.push(bytes.subarray(at, at + size));
    at += size + 2;
  }
}

/**
 * A scripted guest: it reads each request (head and Content-Length or chunked body), records it,
 * and lets `answer` write whatever bytes the test needs, well-formed or not.
 */
export async function startScriptedGuest(answer: ScriptedAnswer): Promise<ScriptedGuest> {
  const socketPath = await tempSocketPath('scripted');
  const received: ReceivedRequest[] = [];
  const listener = await listenUnix(socketPath, (socket: Duplex) => {
    let buffer = Buffer.alloc(0);
    (socket as Socket).on('error', () => undefined);
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buffer.toString('latin1', 0, end);
      const parsed = parseHead(head);
      const length = bodyLength(parsed.headers);
      const rest = buffer.subarray(end + 4);
      let body: Buffer | undefined;
      if (length === 'chunked') body = dechunk(rest);
      else if (rest.length >= length) body = rest.subarray(0, length);
      if (body === undefined) return;
      socket.removeListener('data', onData);
      const request = { head, ...parsed, body };
      received.push(request);
      recordExchange(
        'scripted guest',
        `${head}\r\n\r\n${body.toString('latin1')}`,
        '(the request reached the guest)',
      );
      answer(request, socket);
    };
    socket.on('data', onData);
  });
  const close = (): Promise<void> => listener.close();
  return {
    socketPath,
    received,
    requests: () => received.length,
    // A scripted guest answers one request per connection and leaves closing to its script.
    closeIdleConnections: () => undefined,
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
