import type { Duplex } from 'node:stream';
import type { Connector, Role } from '../../protocol/connector.js';
import { ByteReader } from './byte-reader.js';
import { connectGuest } from './connect-guest.js';

export interface GuestPoolOptions {
  /** Idle connections kept per role (default 32; upstream's later pool keeps 8). */
  readonly maxIdlePerRole?: number;
  /** How long an idle connection is kept (default 30 s, as upstream's later pool). */
  readonly idleTimeoutMs?: number;
  /** Every connection the pool opens, so the proxy can close it on shutdown. */
  readonly track?: (stream: Duplex) => void;
}

/**
 * A guest connection lent to one exchange, with the reader that stays with it for its whole life;
 * `reused` when it already carried an earlier exchange.
 */
export interface GuestLease {
  readonly stream: Duplex;
  readonly reader: ByteReader;
  readonly reused: boolean;
}

interface IdleConnection {
  readonly stream: Duplex;
  readonly reader: ByteReader;
  /** When the idle deadline passes (ms since the epoch). */
  readonly expires: number;
}

/** Stops watching an idle connection and closes it. */
function discard(entry: IdleConnection): void {
  entry.reader.watchIdle(undefined);
  entry.stream.destroy();
}

const usable = (stream: Duplex): boolean =>
  !stream.destroyed && !stream.readableEnded && stream.writable && !stream.writableEnded;

/**
 * Keep-alive guest connections, per role (HND-12 in upstream's later versions, which keep up to 8
 * idle for 30 s; this pool keeps 32 so a client's 16 parallel connections all find one).
 * A connection comes back only after a complete exchange the guest meant to keep open; while
 * idle, any byte, end of input or error from the guest drops it, and so does its idle deadline.
 */
export class GuestPool {
  readonly #connector: Connector;
  readonly #maxIdle: number;
  readonly #idleTimeoutMs: number;
  readonly #track: (stream: Duplex) => void;
  readonly #idle = new Map<Role, IdleConnection[]>();
  #closed = false;
  #sweeper: NodeJS.Timeout | undefined;
  #sweepAt = Infinity;

  constructor(connector: Connector, options: GuestPoolOptions = {}) {
    this.#connector = connector;
    this.#maxIdle = options.maxIdlePerRole ?? 32;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#track = options.track ?? (() => undefined);
  }

  /** Idle connections held for `role` right now. */
  idleCount(role: Role): number {
    return this.#idle.get(role)?.length ?? 0;
  }

  /**
   * A connection to `role`'s guest: an idle one when `reuse` allows (the most recently returned
   * first), else a new one. Connect failures are the proxy's 502/504 errors.
   */
  async acquire(role: Role, signal: AbortSignal | undefined, reuse: boolean): Promise<GuestLease> {
    // A request whose client is already gone takes nothing: connectGuest refuses it as before.
    if (reuse && signal?.aborted !== true) {
      const idle = this.#idle.get(role);
      for (let entry = idle?.pop(); entry !== undefined; entry = idle?.pop()) {
        if (usable(entry.stream) && entry.expires > Date.now()) {
          entry.reader.watchIdle(undefined);
          return { stream: entry.stream, reader: entry.reader, reused: true };
        }
        discard(entry);
      }
    }
    const stream = await this.connect(role, signal);
    return { stream, reader: new ByteReader(stream), reused: false };
  }

  /**
   * A new connection to `role`'s guest that never comes back to the pool (an upgrade's), closed
   * with the proxy like every other. Connect failures are the proxy's 502/504 errors.
   */
  async connect(role: Role, signal: AbortSignal | undefined): Promise<Duplex> {
    const stream = await connectGuest(this.#connector, role, signal);
    // Errors are seen by whoever reads the stream; this keeps one between exchanges from throwing.
    stream.on('error', () => undefined);
    this.#track(stream);
    return stream;
  }

  /**
   * Takes back a connection whose exchange is complete and whose guest will take another request
   * on it; `keepMs` (from the guest's `Keep-Alive: timeout=`) shortens the idle deadline.
   */
  release(role: Role, lease: GuestLease, keepMs = Infinity): void {
    const { stream, reader } = lease;
    const idle = this.#idle.get(role) ?? [];
    this.#idle.set(role, idle);
    this.#dropExpired(Date.now());
    const timeoutMs = Math.min(this.#idleTimeoutMs, keepMs);
    // Bytes the guest sent after its answer (in the reader or still in the socket) spoil it.
    const clean = usable(stream) && reader.buffered === 0 && stream.readableLength === 0;
    if (this.#closed || !clean || idle.length >= this.#maxIdle || timeoutMs <= 0) {
      stream.destroy();
      return;
    }
    const entry: IdleConnection = { stream, reader, expires: Date.now() + timeoutMs };
    const drop = (): void => {
      const at = idle.indexOf(entry);
      if (at !== -1) idle.splice(at, 1);
      discard(entry);
    };
    idle.push(entry);
    // Nothing may arrive between exchanges: a byte, a FIN, an error or a close ends the connection
    // (what arrived while the exchange was finishing included: watchIdle looks at once).
    reader.watchIdle(drop);
    if (!stream.destroyed) this.#sweepBy(entry.expires);
  }

  #dropExpired(now: number): void {
    for (const idle of this.#idle.values()) {
      for (const entry of idle.filter((candidate) => candidate.expires <= now)) {
        idle.splice(idle.indexOf(entry), 1);
        discard(entry);
      }
    }
  }

  /** One timer per pool, not one per idle connection, armed for the earliest idle deadline. */
  #sweepBy(deadline: number): void {
    if (this.#sweeper !== undefined && this.#sweepAt <= deadline) return;
    clearTimeout(this.#sweeper);
    this.#sweepAt = deadline;
    this.#sweeper = setTimeout(
      () => {
        this.#sweeper = undefined;
        this.#sweepAt = Infinity;
        this.#dropExpired(Date.now());
        const next = Math.min(
          ...[...this.#idle.values()].flatMap((idle) => idle.map((entry) => entry.expires)),
        );
        if (Number.isFinite(next)) this.#sweepBy(next);
      },
      Math.max(0, deadline - Date.now()),
    );
    this.#sweeper.unref();
  }

  /** Closes every idle connection now; the pool stays open. Resolves with how many it closed. */
  closeIdle(): number {
    let closed = 0;
    for (const idle of this.#idle.values()) {
      for (const entry of idle.splice(0)) {
        discard(entry);
        closed += 1;
      }
    }
    return closed;
  }

  /** Drops every idle connection; later releases close their connection. */
  close(): void {
    this.#closed = true;
    this.closeIdle();
    clearTimeout(this.#sweeper);
    this.#sweeper = undefined;
    this.#sweepAt = Infinity;
  }
}
