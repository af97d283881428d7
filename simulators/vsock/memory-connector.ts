import type { Duplex } from 'node:stream';
import {
  ConnectAbortedError,
  ConnectFailedError,
  UnknownRoleError,
  type ConnectOptions,
  type Connector,
  type Role,
} from '../../protocol/connector.js';
import { deliverToGuest, type GuestSink } from './guest-sink.js';
import { createMemoryDuplexPair, type MemorySocket } from './memory-duplex-pair.js';
import { waitClosed } from '../../protocol/wait-closed.js';

export interface MemoryConnectorOptions {
  /**
   * Connect timeout in ms (default 5000). A memory hand-off always completes within one turn of
   * the event loop, so this never fires here; wrappers (FaultyConnector) take it as their default.
   */
  readonly connectTimeoutMs?: number;
  /** highWaterMark of both socket ends, in bytes (default 16 KiB). */
  readonly highWaterMark?: number;
}

/**
 * A Connector whose guests live in this process: each connect() makes a memory socketpair, hands
 * one end to the role's guest sink (asynchronously, like an accept) and resolves with the other.
 */
export class MemoryConnector implements Connector, AsyncDisposable {
  readonly roles: readonly Role[];
  readonly connectTimeoutMs: number;
  readonly #guests: ReadonlyMap<Role, GuestSink>;
  readonly #highWaterMark: number | undefined;
  readonly #counts = new Map<Role, number>();
  readonly #open = new Set<MemorySocket>();

  constructor(guests: Readonly<Record<Role, GuestSink>>, options: MemoryConnectorOptions = {}) {
    this.#guests = new Map(Object.entries(guests));
    this.roles = [...this.#guests.keys()];
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#highWaterMark = options.highWaterMark;
  }

  async connect(role: Role, options: ConnectOptions = {}): Promise<Duplex> {
    const sink = this.#guests.get(role);
    if (!sink) throw new UnknownRoleError(role, this.roles);
    const { signal } = options;
    if (signal?.aborted) throw new ConnectAbortedError(role, { cause: signal.reason });

    return new Promise<Duplex>((resolve, reject) => {
      const onAbort = (): void => {
        clearImmediate(handOff);
        reject(new ConnectAbortedError(role, { cause: signal?.reason }));
      };
      // The guest accepts on a later turn: nothing the caller depends on runs synchronously.
      const handOff = setImmediate(() => {
        signal?.removeEventListener('abort', onAbort);
        const [client, guest] = createMemoryDuplexPair(
          this.#highWaterMark === undefined ? {} : { highWaterMark: this.#highWaterMark },
        );
        for (const end of [client, guest]) {
          this.#open.add(end);
          end.once('close', () => this.#open.delete(end));
        }
        try {
          deliverToGuest(sink, guest);
        } catch (error) {
          client.destroy();
          guest.destroy();
          reject(new ConnectFailedError(role, `memory:${role}`, { cause: error }));
          return;
        }
        this.#counts.set(role, this.connections(role) + 1);
        resolve(client);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of connections handed to the guest of `role` so far. */
  connections(role: Role): number {
    return this.#counts.get(role) ?? 0;
  }

  /** Number of socket ends (client and guest side) opened by this connector and not yet closed. */
  openSockets(): number {
    return this.#open.size;
  }

  /** Destroys both ends of every connection this connector opened that is still open. */
  async closeAll(): Promise<void> {
    const ends = [...this.#open];
    for (const end of ends) end.destroy();
    await Promise.all(ends.map(waitClosed));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.closeAll();
  }
}
