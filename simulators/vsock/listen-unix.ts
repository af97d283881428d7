import { rmSync } from 'node:fs';
import { lstat, mkdtemp, rmdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BerthError } from '../../protocol/errors.js';
import { deliverToGuest, type GuestSink } from './guest-sink.js';
import { waitClosed } from '../../protocol/wait-closed.js';

/** Linux `sockaddr_un.sun_path` holds 108 bytes including the terminating NUL. */
export const MAX_UNIX_PATH_BYTES = 107;

export class UnixPathTooLongError extends BerthError {
  readonly code = 'ERR_UNIX_PATH_TOO_LONG';
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {
    super(`unix socket path is ${bytes} bytes, the limit is ${MAX_UNIX_PATH_BYTES}: ${path}`);
  }
}

export class NotASocketError extends BerthError {
  readonly code = 'ERR_UNIX_PATH_NOT_SOCKET';
  constructor(readonly path: string) {
    super(`refusing to replace ${path}: it exists and is not a socket`);
  }
}

function assertUnixPathFits(path: string): void {
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_UNIX_PATH_BYTES) throw new UnixPathTooLongError(path, bytes);
}

/**
 * Directories made by tempSocketPath(), removed (if empty) when their listener closes; whatever
 * is left (paths nobody listened on, sockets other servers bound there) goes when the process exits.
 */
const tempDirs = new Set<string>();
let exitCleanupInstalled = false;

/** Removes every directory tempSocketPath() made in this process (test files call it after all). */
export function removeTempSocketDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function removeTempDirsAtExit(): void {
  if (exitCleanupInstalled) return;
  exitCleanupInstalled = true;
  process.once('exit', removeTempSocketDirs);
}

/** A fresh socket path `<tmp>/berth-XXXXXX/<name>.sock` in a new private directory. */
export async function tempSocketPath(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-'));
  const path = join(dir, `${name}.sock`);
  try {
    assertUnixPathFits(path);
  } catch (error) {
    await rmdir(dir);
    throw error;
  }
  tempDirs.add(dir);
  removeTempDirsAtExit();
  return path;
}

export interface ListenUnixOptions {
  /** listen() backlog; a full unix backlog answers EAGAIN instead of queueing (default 511). */
  readonly backlog?: number;
}

/** A listening guest-side unix server that owns its accepted sockets. */
export interface UnixListener extends AsyncDisposable {
  readonly path: string;
  readonly server: Server;
  /** Number of accepted connections so far. */
  readonly accepted: number;
  /** Stops listening, destroys every accepted socket still open and removes the socket file. */
  close(): Promise<void>;
}

/**
 * Listens on a unix socket with `allowHalfOpen: true` and hands each accepted socket to the sink
 * (a function, or an http/net server through `emit('connection')`). A stale socket file left at
 * `path` is removed first.
 */
export async function listenUnix(
  path: string,
  sink: GuestSink,
  options: ListenUnixOptions = {},
): Promise<UnixListener> {
  assertUnixPathFits(path);
  await removeStaleSocket(path);
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    deliverToGuest(sink, socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path, backlog: options.backlog ?? 511 }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const open = [...sockets];
      for (const socket of open) socket.destroy();
      await Promise.all([closed, ...open.map(waitClosed)]);
      await unlink(path).catch(() => undefined);
      const dir = dirname(path);
      if (tempDirs.delete(dir)) await rmdir(dir).catch(() => undefined);
    })();
    return closing;
  };
  return {
    path,
    server,
    get accepted() {
      return accepted;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return;
  if (!stat.isSocket()) throw new NotASocketError(path);
  await unlink(path);
}
