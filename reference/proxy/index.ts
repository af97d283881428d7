import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Connector, Role } from '../../protocol/connector.js';
import { BerthError } from '../../protocol/errors.js';
import { createWorkloadRegistry, type WorkloadRegistry } from '../registry/index.js';
import {
  formatListenAddress,
  parseListenAddress,
  type ListenAddress,
} from '../../protocol/listen-address.js';
import { GuestPool } from './guest-pool.js';
import type { ProxyContext, RolePlatforms } from './proxy-context.js';
import { RoleResolver } from './role-resolver.js';
import { serveConnection } from './serve-connection.js';

export { InvalidListenAddressError } from '../../protocol/listen-address.js';
export type { RolePlatforms } from './proxy-context.js';
export { parsePlatform, formatPlatform, type Platform } from './platform.js';
export { parseRequestRoute, type RequestRoute } from './request-route.js';
export {
  AmbiguousWorkloadError,
  GuestProtocolError,
  GuestTimeoutError,
  GuestUnavailableError,
  UnsupportedPlatformError,
} from './proxy-errors.js';

export type { WorkloadRegistry } from '../registry/index.js';

export interface ProxyOptions {
  /** `unix:///abs/path.sock` (created mode 0600) or `tcp://127.0.0.1:PORT`. */
  readonly listen: string;
  /** Role → stream to that role's guest dockerd. */
  readonly connector: Connector;
  /** Every role the proxy routes to, with the platforms its guest runs. */
  readonly roles: readonly RolePlatforms[];
  /** Requests naming no workload, and unknown workloads, go here. */
  readonly defaultRole: Role;
  /** Deadline of a guest's answer to an upgrade, and of each lazy-rebuild probe (default 5000). */
  readonly handshakeTimeoutMs?: number;
  /** Allows a tcp:// address that is not loopback. */
  readonly allowRemote?: boolean;
  /** Where unexpected failures are reported (default: console.error). */
  readonly log?: (message: string, error?: unknown) => void;
}

export interface RunningProxy {
  /** The bound address (`unix:///...` or `tcp://127.0.0.1:<port>`). */
  readonly address: string;
  readonly registry: WorkloadRegistry;
  /** Closes the guest connections kept alive for reuse that no request is using; how many. */
  closeIdleGuestConnections(): number;
  /** Stops listening, closes every client and guest connection, removes the unix socket. */
  close(): Promise<void>;
}

export class ProxyConfigError extends BerthError {
  readonly code = 'ERR_PROXY_CONFIG';
}

export class AddressInUseError extends BerthError {
  readonly code = 'ERR_PROXY_ADDRESS_IN_USE';
  constructor(readonly address: string) {
    super(`something already listens on ${address}`);
  }
}

function assertRoles(options: ProxyOptions): void {
  const names = options.roles.map((entry) => entry.role);
  if (names.length === 0) throw new ProxyConfigError('at least one role must be configured');
  if (new Set(names).size !== names.length)
    throw new ProxyConfigError(`roles are listed twice: ${names.join(', ')}`);
  if (!names.includes(options.defaultRole)) {
    throw new ProxyConfigError(
      `default role '${options.defaultRole}' is not one of the roles (${names.join(', ')})`,
    );
  }
  const missing = names.filter((role) => !options.connector.roles.includes(role));
  if (missing.length > 0)
    throw new ProxyConfigError(`the connector has no guest for role(s) ${missing.join(', ')}`);
}

/** A socket file left by a dead process is replaced; one that still answers is an error. */
async function clearStaleSocket(path: string, address: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (stat === undefined) return;
  if (!stat.isSocket()) throw new ProxyConfigError(`refusing to replace ${path}: it is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new AddressInUseError(address);
  await unlink(path).catch(() => undefined);
}

async function listen(server: Server, address: ListenAddress): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.removeListener('error', reject);
      resolve();
    };
    if (address.kind === 'unix') server.listen({ path: address.path, backlog: 511 }, done);
    else server.listen({ host: address.host, port: address.port, backlog: 511 }, done);
  });
  if (address.kind === 'unix') {
    await chmod(address.path, 0o600);
    return formatListenAddress(address);
  }
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  return formatListenAddress({ ...address, port });
}

/**
 * Starts the reference Docker API proxy: one HTTP/1.1 front end that routes every request to the
 * guest dockerd of the role that owns its workload (HND-*).
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const address = parseListenAddress(options.listen, { allowRemote: options.allowRemote === true });
  assertRoles(options);
  const registry = createWorkloadRegistry();
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 5000;
  const log =
    options.log ??
    ((message: string, error?: unknown) => console.error(`berth proxy: ${message}`, error ?? ''));
  const clients = new Set<Socket>();
  const guests = new Set<Duplex>();
  const trackGuest = (guest: Duplex): void => {
    guests.add(guest);
    guest.once('close', () => guests.delete(guest));
  };
  const pool = new GuestPool(options.connector, { track: trackGuest });
  const context: ProxyContext = {
    guests: pool,
    registry,
    resolver: new RoleResolver({
      registry,
      connector: options.connector,
      roles: options.roles.map((entry) => entry.role),
      defaultRole: options.defaultRole,
      probeTimeoutMs: handshakeTimeoutMs,
    }),
    roles: options.roles,
    defaultRole: options.defaultRole,
    handshakeTimeoutMs,
    log,
  };

  const server = createServer({ allowHalfOpen: true }, (socket) => {
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
    // Errors are handled by whoever reads the socket; this keeps a late one from crashing the process.
    socket.on('error', () => undefined);
    serveConnection(context, socket).catch((error: unknown) => {
      log('connection handler failed', error);
      socket.destroy();
    });
  });
  if (address.kind === 'unix') await clearStaleSocket(address.path, options.listen);
  const bound = await listen(server, address);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      pool.close();
      const open: Duplex[] = [...clients, ...guests];
      for (const stream of open) stream.destroy();
      await Promise.all([
        stopped,
        ...open.map((stream) =>
          stream.closed ? undefined : new Promise<void>((resolve) => stream.once('close', () => resolve())),
        ),
      ]);
      if (address.kind === 'unix') await unlink(address.path).catch(() => undefined);
    })();
    return closing;
  };
  return { address: bound, registry, closeIdleGuestConnections: () => pool.closeIdle(), close };
}
