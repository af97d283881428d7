import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GARBAGE_BYTES, type HttpFaultKind } from '../protocol/faults.js';
import { onCleanup } from './bench-cleanup.js';

/** What the relay does to one request: nothing, or one of the HTTP faults (protocol/faults.ts) a flaky link shows. */
export type RelayFault =
  'none' | Extract<HttpFaultKind, 'drop-request' | 'reset-before-head' | 'garbage-answer' | 'answer-stall'>;

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
 * that starts a request head rolls `pick()`: `drop-request` closes both ends without passing it
 * on, `reset-before-head` passes it and closes both ends at the first answer bytes,
 * `garbage-answer` answers non-HTTP bytes and closes, `answer-stall` swallows everything for
 * `stallMs` and then closes (unix sockets cannot send an RST).
 */
export async function createFaultRelayServer(
  target: string,
  options: { readonly pick: () => RelayFault; readonly stallMs: number },
): Promise<FaultRelayServer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-soak-relay-'));
  const socketPath = join(dir, 'relay.sock');
  const counts: Record<RelayFault, number> = {
    none: 0,
    'drop-request': 0,
    'reset-before-head': 0,
    'garbage-answer': 0,
    'answer-stall': 0,
  };
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
        if (fault === 'drop-request') return closeBoth();
        if (fault === 'garbage-answer') {
          guest.destroy();
          client.end(Buffer.from(GARBAGE_BYTES));
          return;
        }
        if (fault === 'answer-stall') {
          stalled = true;
          const timer = setTimeout(closeBoth, options.stallMs);
          client.once('close', () => clearTimeout(timer));
          return;
        }
        if (fault === 'reset-before-head') resetOnAnswer = true;
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
