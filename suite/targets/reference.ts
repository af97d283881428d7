import type { Duplex } from 'node:stream';
import type { Connector } from '../../protocol/connector.js';
import type { TransportFault } from '../../protocol/faults.js';
import { startProxy } from '../../reference/proxy/index.js';
import { createWorkloadRegistry } from '../../reference/registry/index.js';
import {
  FaultyConnector,
  isMemorySocket,
  listenUnix,
  MemoryConnector,
  resetMemorySocket,
  tempSocketPath,
  type UnixListener,
} from '../../simulators/vsock/index.js';
import { UnixSocketConnector } from '../../reference/transport/index.js';
import { referenceDispatch } from './reference-dispatch.js';
import { referenceEngine } from './reference-engine.js';
import { referenceSnapshot } from './reference-snapshot.js';
import type {
  GuestBehaviour,
  ProxyFacet,
  RegistryFacet,
  Target,
  TransportFacet,
  TransportLink,
  TransportLinkOptions,
} from './target.js';

const ROLE = 'guest';
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** The faults that make a connector meet a guest that is `absent` or `unresponsive`. */
function faultsFor(guest: GuestBehaviour): TransportFault[] {
  if (guest === 'absent') return [{ kind: 'refuse' }];
  if (guest === 'unresponsive') return [{ kind: 'connect-stall' }];
  return [];
}

async function openLink(
  kind: string,
  guest: GuestBehaviour,
  options: TransportLinkOptions,
): Promise<TransportLink> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let accepted = 0;
  const handler = (socket: Duplex): void => {
    accepted += 1;
    if (typeof guest === 'function') guest(socket);
    else socket.destroy();
  };
  const disposables: AsyncDisposable[] = [];
  let connector: Connector;

  if (kind === 'memory') {
    const memory = new MemoryConnector({ [ROLE]: handler }, { connectTimeoutMs });
    disposables.push(memory);
    connector = memory;
    const faults = faultsFor(guest);
    if (faults.length > 0) {
      const faulty = new FaultyConnector(memory, () => faults, { connectTimeoutMs });
      disposables.push(faulty);
      connector = faulty;
    }
  } else if (kind === 'unix') {
    const path = await tempSocketPath('guest');
    // An absent guest is a socket path nobody listens on: the connect is refused by the kernel.
    let listener: UnixListener | undefined;
    if (guest !== 'absent') {
      listener = await listenUnix(path, handler);
      disposables.push(listener);
    }
    const unix = new UnixSocketConnector({ [ROLE]: path }, { connectTimeoutMs });
    disposables.push(unix);
    connector = unix;
    if (guest === 'unresponsive') {
      const faulty = new FaultyConnector(unix, () => faultsFor(guest), { connectTimeoutMs });
      disposables.push(faulty);
      connector = faulty;
    }
  } else {
    throw new Error(`the reference target has no '${kind}' connector (it has: memory, unix)`);
  }

  return {
    connector,
    role: ROLE,
    accepted: () => accepted,
    async [Symbol.asyncDispose]() {
      for (const disposable of disposables.reverse()) await disposable[Symbol.asyncDispose]();
    },
  };
}

const referenceTransport: TransportFacet = {
  kinds: ['memory', 'unix'],
  open: (kind, guest, options = {}) => openLink(kind, guest, options),
  reset(guestSocket) {
    if (isMemorySocket(guestSocket)) resetMemorySocket(guestSocket);
    // A unix socket closed with unread bytes from its peer makes the peer read ECONNRESET: the
    // unix-domain form of a TCP reset, and what a vsock peer sees when its guest dies.
    else guestSocket.destroy();
  },
};

const referenceRegistry: RegistryFacet = {
  create: () => Promise.resolve(createWorkloadRegistry()),
};

/** The reference proxy on a fresh unix socket, reaching each guest through a unix-socket connector. */
const referenceProxy: ProxyFacet = {
  async start(options) {
    const socketPath = await tempSocketPath('proxy');
    const connector = new UnixSocketConnector(
      Object.fromEntries(options.roles.map((role) => [role.role, role.guest])),
    );
    const proxy = await startProxy({
      listen: `unix://${socketPath}`,
      connector,
      roles: options.roles.map((role) => ({ role: role.role, platforms: role.platforms ?? [] })),
      defaultRole: options.defaultRole,
      ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
    });
    return {
      socketPath,
      async [Symbol.asyncDispose]() {
        await proxy.close();
        await connector.closeAll();
      },
    };
  },
};

/** The embedded reference stack, in-process, with simulated guests behind fake vsock connectors. */
export function createReferenceTarget(): Target {
  return {
    name: 'reference',
    description: 'embedded reference stack (in-process; simulated guests behind fake vsock connectors)',
    transport: referenceTransport,
    registry: referenceRegistry,
    proxy: referenceProxy,
    dispatch: referenceDispatch,
    snapshot: referenceSnapshot,
    engine: referenceEngine,
    async [Symbol.asyncDispose]() {},
  };
}
