import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './bench-cleanup.js';

const HEAD_END = Buffer.from('\r\n\r\n');
export const UPGRADE_ANSWER =
  'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';

/** A guest that answers upgrades with a 101 and then echoes raw bytes back (half-close kept); other requests get 200 OK. */
export interface RawUpgradeGuest extends AsyncDisposable {
  readonly socketPath: string;
  /** Connections open right now. */
  readonly open: number;
  close(): Promise<void>;
}

const PLAIN_ANSWER =
  'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK';

/**
 * Reads HTTP heads (and their Content-Length bodies): a request without `Upgrade` gets a plain
 * keep-alive 200 "OK"; one with `Upgrade` gets a 101, then the socket is piped to itself.
 */
function serveEcho(socket: Socket): void {
  let buffered: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      const end = buffered.indexOf(HEAD_END);
      if (end === -1) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      const rest = buffered.subarray(end + 4 + length);
      if (!/\r\nupgrade:/i.test(head)) {
        socket.write(PLAIN_ANSWER);
        buffered = rest;
        continue;
      }
      socket.off('data', onData);
      socket.pause();
      socket.write(UPGRADE_ANSWER);
      if (rest.length > 0) socket.write(rest);
      socket.pipe(socket);
      socket.resume();
      return;
    }
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
}

export async function createRawUpgradeGuest(): Promise<RawUpgradeGuest> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-guest-'));
  const socketPath = join(dir, 'guest.sock');
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveEcho(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  const close = async (): Promise<void> => {
    unregister();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  const unregister = onCleanup(close);
  return {
    socketPath,
    get open() {
      return sockets.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
