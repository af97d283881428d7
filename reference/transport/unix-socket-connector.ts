import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ConnectAbortedError,
  ConnectFailedError,
  ConnectRefusedError,
  ConnectTimeoutError,
  UnknownRoleError,
  type ConnectOptions,
  type Connector,
  type Role,
} from '../../protocol/connector.js';
import { hasErrorCode } from '../../protocol/errors.js';
import { waitClosed } from '../../protocol/wait-closed.js';

export interface UnixSocketConnectorOptions {
  /** A connect that has not completed after this many ms rejects with ConnectTimeoutError (default 5000). */
  readonly connectTimeoutMs?: number;
}

/** Codes that mean "nobody is listening there". */
const REFUSED_CODES = ['ECONNREFUSED', 'ENOENT'];

/**
 * A Connector that reaches each role's guest over a unix socket (how tests stand in for vsock).
 * Sockets are half-open capable (`allowHalfOpen: true`).
 */
export class UnixSocketConnector implements Connector, AsyncDisposable {
  readonly roles: readonly Role[];
  readonly connectTimeoutMs: number;
  readonly #paths: ReadonlyMap<Role, string>;
  readonly #open = new Set<Socket>();

  constructor(paths: Readonly<Record<Role, string>>, options: UnixSocketConnectorOptions = {}) {
    this.#paths = new Map(Object.entries(paths));
    this.roles = [...this.#paths.keys()];
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  }

  async connect(role: Role, options: ConnectOptions = {}): Promise<Duplex> {
    const path = this.#paths.get(role);
    if (path === undefined) throw new UnknownRoleError(role, this.roles);
    const { signal } = options;
    if (signal?.aborted) throw new ConnectAbortedError(role, { cause: signal.reason });
    const timeoutMs = this.connectTimeoutMs;

    return new Promise<Duplex>((resolve, reject) => {
      const socket = netConnect({ path, allowHalfOpen: true });
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('connect', onConnect);
        socket.removeListener('error', onError);
        if (error) {
          socket.destroy();
          reject(error);
          return;
        }
        this.#open.add(socket);
        socket.once('close', () => this.#open.delete(socket));
        resolve(socket);
      };
      const onConnect = (): void => settle();
      const onError = (error: Error): void => {
        const refused = REFUSED_CODES.some((code) => hasErrorCode(error, code));
        settle(
          refused
            ? new ConnectRefusedError(role, path, { cause: error })
            : new ConnectFailedError(role, path, { cause: error }),
        );
      };
      const onAbort = (): void => settle(new ConnectAbortedError(role, { cause: signal?.reason }));
      const timer = setTimeout(() => settle(new ConnectTimeoutError(role, timeoutMs)), timeoutMs);
      socket.once('connect', onConnect);
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Destroys every socket this connector returned that is still open. */
  async closeAll(): Promise<void> {
    const sockets = [...this.#open];
    for (const socket of sockets) socket.destroy();
    await Promise.all(sockets.map(waitClosed));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.closeAll();
  }
}
