import type { Duplex } from 'node:stream';
import type { Connector, Role } from '../../protocol/connector.js';
import type { GuestSink } from './guest-sink.js';
import { listenUnix, tempSocketPath, type UnixListener } from './listen-unix.js';
import { MemoryConnector } from './memory-connector.js';
import { UnixSocketConnector } from '../../reference/transport/unix-socket-connector.js';

/** Test helper: a connector wired to in-process guests, owning everything it made. */
export interface ConnectorHarness extends AsyncDisposable {
  readonly connector: Connector;
  /** Connections the guest of `role` accepted so far. */
  accepted(role: Role): number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly connectTimeoutMs?: number;
}

export type HarnessFactory = (
  guests: Readonly<Record<Role, GuestSink>>,
  options?: HarnessOptions,
) => Promise<ConnectorHarness>;

export const createMemoryHarness: HarnessFactory = async (guests, options = {}) => {
  const connector = new MemoryConnector(guests, options);
  const close = (): Promise<void> => connector.closeAll();
  return { connector, accepted: (role) => connector.connections(role), close, [Symbol.asyncDispose]: close };
};

export const createUnixHarness: HarnessFactory = async (guests, options = {}) => {
  const listeners = new Map<Role, UnixListener>();
  for (const [role, sink] of Object.entries(guests)) {
    listeners.set(role, await listenUnix(await tempSocketPath(role), sink));
  }
  const paths = Object.fromEntries([...listeners].map(([role, listener]) => [role, listener.path]));
  const connector = new UnixSocketConnector(paths, options);
  const close = async (): Promise<void> => {
    await connector.closeAll();
    await Promise.all([...listeners.values()].map((listener) => listener.close()));
  };
  return {
    connector,
    accepted: (role) => listeners.get(role)?.accepted ?? 0,
    close,
    [Symbol.asyncDispose]: close,
  };
};

export const HARNESSES: readonly { readonly name: string; readonly create: HarnessFactory }[] = [
  { name: 'memory', create: createMemoryHarness },
  { name: 'unix', create: createUnixHarness },
];

/** What a scripted guest saw on one connection. */
export interface GuestConnection {
  readonly socket: Duplex;
  text: string;
  ended: boolean;
  error: (Error & { code?: string }) | undefined;
  closed: boolean;
}

/**
 * Test helper: a guest that records every connection and answers through `onData` / `onEnd`
 * (defaults: echo upper-cased, end when the client ends).
 */
export function createRecordingGuest(
  behaviour: {
    readonly onConnect?: (socket: Duplex) => void;
    readonly onData?: (socket: Duplex, chunk: string) => void;
    readonly onEnd?: (socket: Duplex, text: string) => void;
  } = {},
): { readonly sink: (socket: Duplex) => void; readonly connections: GuestConnection[] } {
  const connections: GuestConnection[] = [];
  const sink = (socket: Duplex): void => {
    const seen: GuestConnection = { socket, text: '', ended: false, error: undefined, closed: false };
    connections.push(seen);
    socket.on('error', (error: Error) => (seen.error = error));
    socket.on('close', () => (seen.closed = true));
    socket.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      seen.text += text;
      if (behaviour.onData) behaviour.onData(socket, text);
      else socket.write(text.toUpperCase());
    });
    socket.on('end', () => {
      seen.ended = true;
      if (behaviour.onEnd) behaviour.onEnd(socket, seen.text);
      else socket.end();
    });
    behaviour.onConnect?.(socket);
  };
  return { sink, connections };
}
