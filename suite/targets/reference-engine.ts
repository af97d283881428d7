import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ConnectFailedError,
  ConnectRefusedError,
  ConnectTimeoutError,
  UnknownRoleError,
  type Connector,
} from '../../protocol/connector.js';
import { hasErrorCode } from '../../protocol/errors.js';
import { startProxy } from '../../reference/proxy/index.js';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import { UnixSocketConnector } from '../../reference/transport/index.js';
import type { EngineAddress, EngineFacet, EngineSession } from './engine-facet.js';
import { formatDockerHost, openEngineSession } from './engine-session.js';

const ROLE = 'engine';
/** The image the simulated dockerd starts with (busybox applets, CMD ["sh"]). */
const SIMULATED_BASE_IMAGE = 'local/busybox:1';
const CONNECT_TIMEOUT_MS = 5000;

/** A connector whose one role reaches a Docker API over TCP (half-open capable, like vsock). */
function tcpConnector(role: string, host: string, port: number): Connector & { closeAll(): void } {
  const open = new Set<Socket>();
  const endpoint = `tcp://${host}:${port}`;
  return {
    roles: [role],
    connect(wanted) {
      if (wanted !== role) return Promise.reject(new UnknownRoleError(wanted, [role]));
      return new Promise<Duplex>((resolve, reject) => {
        const socket = netConnect({ host, port, allowHalfOpen: true });
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new ConnectTimeoutError(role, CONNECT_TIMEOUT_MS));
        }, CONNECT_TIMEOUT_MS);
        socket.once('connect', () => {
          clearTimeout(timer);
          socket.removeAllListeners('error');
          open.add(socket);
          socket.once('close', () => open.delete(socket));
          resolve(socket);
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          socket.destroy();
          reject(
            hasErrorCode(error, 'ECONNREFUSED')
              ? new ConnectRefusedError(role, endpoint, { cause: error })
              : new ConnectFailedError(role, endpoint, { cause: error }),
          );
        });
      });
    },
    closeAll() {
      for (const socket of open) socket.destroy();
    },
  };
}

/** The reference proxy on a temp unix socket, with one role whose guest answers at `guest`. */
export interface ProxiedEndpoint {
  readonly address: EngineAddress;
  /** Closes the proxy's idle keep-alive connections to the guest. */
  closeIdle(): void;
  close(): Promise<void>;
}

/**
 * Starts the reference proxy (reference/proxy) in front of one Docker API endpoint: a single role
 * that runs `platforms` and is the default role, so every request goes to `guest` (proxy
 * transparency: the DKR clauses must hold through it as they hold directly).
 */
export async function startReferenceProxyFor(
  guest: EngineAddress,
  platforms: readonly string[],
): Promise<ProxiedEndpoint> {
  const socketPath = await tempSocketPath('engine-proxy');
  const connector =
    'socketPath' in guest
      ? new UnixSocketConnector({ [ROLE]: guest.socketPath }, { connectTimeoutMs: CONNECT_TIMEOUT_MS })
      : tcpConnector(ROLE, guest.host, guest.port);
  const proxy = await startProxy({
    listen: `unix://${socketPath}`,
    connector,
    roles: [{ role: ROLE, platforms }],
    defaultRole: ROLE,
  });
  return {
    address: { socketPath },
    closeIdle: () => void proxy.closeIdleGuestConnections(),
    async close() {
      await proxy.close();
      if (connector instanceof UnixSocketConnector) await connector.closeAll();
      else connector.closeAll();
    },
  };
}

async function openSimulated(kind: string): Promise<EngineSession> {
  const { createSimulatedDockerd } = await import('../../simulators/dockerd/index.js');
  const sim = createSimulatedDockerd({ name: `engine-${kind}` });
  const simPath = await tempSocketPath('engine');
  await sim.listen(`unix://${simPath}`);
  const guest = { socketPath: simPath };
  if (kind === 'simulated') {
    return openEngineSession({
      address: guest,
      description: `simulated dockerd at ${formatDockerHost(guest)}`,
      baseImage: SIMULATED_BASE_IMAGE,
      onDispose: () => sim.close(),
    }).catch(async (error: unknown) => {
      await sim.close();
      throw error;
    });
  }
  const proxied = await startReferenceProxyFor(guest, ['linux/amd64']);
  return openEngineSession({
    address: proxied.address,
    description: `reference proxy at ${formatDockerHost(proxied.address)} in front of a simulated dockerd`,
    baseImage: SIMULATED_BASE_IMAGE,
    // The guest closes them, as a dockerd may at any time: the proxy must notice and cope.
    closeIdle: () => void sim.closeIdleConnections(),
    async onDispose() {
      await proxied.close();
      await sim.close();
    },
  }).catch(async (error: unknown) => {
    await proxied.close();
    await sim.close();
    throw error;
  });
}

/**
 * The reference target's Docker API endpoints: `simulated` (a simulated dockerd on a temp unix
 * socket, one per session) and `proxied` (the reference proxy in front of one). The real daemon
 * of the real-daemon tier is not a kind here: the docker target runs the DKR clauses against it
 * (`real` and `proxied`), and doing it twice would double the area's wall time for nothing.
 */
export const referenceEngine: EngineFacet = {
  kinds: ['simulated', 'proxied'],
  open(kind) {
    if (kind !== 'simulated' && kind !== 'proxied') {
      return Promise.reject(
        new Error(`the reference target has no '${kind}' engine (it has: simulated, proxied)`),
      );
    }
    return openSimulated(kind);
  },
};
