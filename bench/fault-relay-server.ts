import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GARBAGE_BYTES } from '../simulators/vsock/index.js';
import { onCleanup } from './bench-cleanup.js';

/** What the relay does to one request. */
export type RelayFault = 'none' | 'refuse' | 'reset' | 'garbage' | 'stall';

export interface FaultRelayServer extends AsyncDisposable {
  readonly socketPath: string;
  /** Requests per fault applied so far. */
  readonly counts: Readonly<Record<RelayFault, number>>;
  /** Relayed connections open right now. */
  readonly open: number;
  close(): Promise<void>;
}

/** The first bytes of a request head (`METHOD /...`); a body chunk never starts like this. */
const REQUEST_START = /^[A-Z]{3,7} \//;

/**
 * A unix-socket relay in front of a guest (a stand-in for a flaky vsock) that faults a share of
 * the requests it carries, on new and on kept-alive connections alike. Each chunk from the client
 * that starts a request head rolls `pick()`: `refuse` closes both ends without passing it on,
 * `reset` passes it and closes both ends at the first answer bytes, `garbage` answers non-HTTP
 * bytes and closes, `stall` swallows everything for `stallMs` and then closes (unix sockets cannot
 * send an RST).
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
    const guest = connect({ path: target, allowHalfOpen: true });
    track(guest);
    client.once('close', () => guest.destroy());
    guest.once('close', () => client.destroy());
    let resetOnAnswer = false;
    let stalled = false;
    const closeBoth = (): void => {
      client.destroy();
      guest.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (stalled) return;
      if (REQUEST_START.test(chunk.toString('latin1', 0, 9))) {
        const fault = options.pick();
        counts[fault] += 1;
        if (fault === 'refuse') return closeBoth();
        if (fault === 'garbage') {
          guest.destroy();
          client.end(Buffer.from(GARBAGE_BYTES));
          return;
        }
        if (fault === 'stall') {
          stalled = true;
          const timer = setTimeout(closeBoth, options.stallMs);
          client.once('close', () => clearTimeout(timer));
          return;
        }
        if (fault === 'reset') resetOnAnswer = true;
      }
      if (!guest.write(chunk)) {
        client.pause();
        guest.once('drain', () => client.resume());
      }
    });
    client.on('end', () => guest.end());
    guest.on('data', (chunk: Buffer) => {
      if (resetOnAnswer) return closeBoth();
      if (!client.write(chunk)) {
        guest.pause();
        client.once('drain', () => guest.resume());
      }
    });
    guest.on('end', () => client.end());
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
