import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GARBAGE_BYTES } from '../simulators/vsock/index.js';
import { onCleanup } from './bench-cleanup.js';

/** What the relay does to one guest connection. */
export type RelayFault = 'none' | 'refuse' | 'reset' | 'garbage' | 'stall';

export interface FaultRelayServer extends AsyncDisposable {
  readonly socketPath: string;
  /** Connections per fault applied so far. */
  readonly counts: Readonly<Record<RelayFault, number>>;
  /** Relayed connections open right now. */
  readonly open: number;
  close(): Promise<void>;
}

/**
 * A unix-socket relay in front of a guest that faults a share of its connections (a stand-in for a
 * flaky vsock): `refuse` closes at once, `reset` passes the request and then resets both ends after
 * the first answer bytes, `garbage` answers non-HTTP bytes and closes, `stall` swallows everything
 * for `stallMs` and then closes (a stall with a deadline; unix sockets cannot send an RST).
 */
export async function createFaultRelayServer(
  target: string,
  options: { readonly pick: () => RelayFault; readonly stallMs: number },
): Promise<FaultRelayServer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-soak-relay-'));
  const socketPath = join(dir, 'relay.sock');
  const counts: Record<RelayFault, number> = { none: 0, refuse: 0, reset: 0, garbage: 0, stall: 0 };
  const open = new Set<Socket>();
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    const fault = options.pick();
    counts[fault] += 1;
    switch (fault) {
      case 'refuse':
        client.destroy();
        return;
      case 'garbage':
        client.end(Buffer.from(GARBAGE_BYTES));
        return;
      case 'stall': {
        client.resume();
        const timer = setTimeout(() => client.destroy(), options.stallMs);
        client.once('close', () => clearTimeout(timer));
        return;
      }
      case 'none':
      case 'reset': {
        const guest = connect({ path: target, allowHalfOpen: true });
        track(guest);
        client.once('close', () => guest.destroy());
        guest.once('close', () => client.destroy());
        client.pipe(guest);
        if (fault === 'none') {
          guest.pipe(client);
        } else {
          guest.once('data', () => {
            client.destroy();
            guest.destroy();
          });
        }
        return;
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  const close = async (): Promise<void> => {
    unregister();
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  const unregister = onCleanup(close);
  return {
    socketPath,
    counts,
    get open() {
      return open.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
