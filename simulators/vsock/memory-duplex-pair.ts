import { Duplex } from 'node:stream';

/**
 * An in-memory socketpair: two connected Duplex ends that behave like the two sides of a stream
 * socket (a vsock or unix connection) closely enough for Node's http server, undici and relays.
 *
 * - bytes written on one end are read on the other, in order, asynchronously (never inside the
 *   writer's `write()` call);
 * - backpressure: a write's callback is held while the peer's readable buffer is at or above its
 *   highWaterMark and released when the peer reads, so a fast writer sees `write()` return false;
 * - `end()` is a FIN: the peer gets `'end'` and can go on writing back (allowHalfOpen on both ends);
 * - `destroy()` without an error is a close: the peer reads end-of-stream, and its later writes fail
 *   with an `EPIPE` error;
 * - `destroy(err)` or `resetAndDestroy()` is a reset: the peer emits `'error'` with code
 *   `ECONNRESET` and closes.
 */

/** An OS-like error (`code` is the errno name) raised by memory sockets, as a real socket would. */
export class SimulatedSocketError extends Error {
  constructor(
    readonly code: 'EPIPE' | 'ECONNRESET',
    readonly syscall: 'write' | 'read',
  ) {
    super(`${syscall} ${code} (memory socket)`);
    this.name = 'SimulatedSocketError';
  }
}

export interface MemoryDuplexPairOptions {
  /** Readable and writable highWaterMark of both ends, in bytes. Default 16 KiB. */
  readonly highWaterMark?: number;
}

const live = new Set<MemorySocket>();
let nextPort = 1;

type WriteCallback = (error?: Error | null) => void;

export class MemorySocket extends Duplex {
  readonly remoteAddress = 'memory';
  readonly localAddress = 'memory';
  readonly remoteFamily = 'memory';
  readonly localPort: number;
  readonly remotePort: number;
  readonly connecting = false;
  readonly pending = false;
  bytesWritten = 0;
  bytesRead = 0;

  /** The other end (itself only until createPair() links the two). */
  #peer: MemorySocket = this;
  /** Callback of our in-flight write, held while the peer's readable buffer is full. */
  #heldWrite: WriteCallback | undefined;
  /** True once end-of-stream has been pushed into this end's readable side. */
  #eofReceived = false;
  #resetting = false;
  #idleMs = 0;
  #idleTimer: NodeJS.Timeout | undefined;

  private constructor(localPort: number, remotePort: number, highWaterMark: number) {
    super({
      allowHalfOpen: true,
      readableHighWaterMark: highWaterMark,
      writableHighWaterMark: highWaterMark,
      decodeStrings: true,
    });
    this.localPort = localPort;
    this.remotePort = remotePort;
    live.add(this);
    this.once('close', () => live.delete(this));
  }

  /** @internal use createMemoryDuplexPair() */
  static createPair(options: MemoryDuplexPairOptions = {}): [MemorySocket, MemorySocket] {
    const hwm = options.highWaterMark ?? 16 * 1024;
    const a = nextPort++;
    const b = nextPort++;
    const left = new MemorySocket(a, b, hwm);
    const right = new MemorySocket(b, a, hwm);
    left.#peer = right;
    right.#peer = left;
    return [left, right];
  }

  /** 'open', 'readOnly' (we sent FIN), 'writeOnly' (peer sent FIN, consumed) or 'closed'. */
  get readyState(): 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.destroyed) return 'closed';
    const canRead = !this.readableEnded;
    const canWrite = !this.writableEnded;
    if (canRead && canWrite) return 'open';
    if (canRead) return 'readOnly';
    if (canWrite) return 'writeOnly';
    return 'closed';
  }

  /** Like net.Socket#resetAndDestroy: close this end without an error; the peer sees ECONNRESET. */
  resetAndDestroy(): this {
    this.#resetting = true;
    return this.destroy();
  }

  /** Like net.Socket#destroySoon: FIN after pending writes, then close. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Idle timeout like net.Socket#setTimeout: emits 'timeout' after `ms` without traffic; 0 disables. */
  setTimeout(ms: number, callback?: () => void): this {
    if (ms === 0 || !Number.isFinite(ms)) {
      this.#idleMs = 0;
      this.#clearIdle();
      if (callback) this.removeListener('timeout', callback);
      return this;
    }
    this.#idleMs = ms;
    if (callback) this.once('timeout', callback);
    this.#clearIdle();
    if (!this.destroyed) {
      this.#idleTimer = setTimeout(() => this.emit('timeout'), ms);
      this.#idleTimer.unref();
    }
    return this;
  }

  get timeout(): number | undefined {
    return this.#idleMs === 0 ? undefined : this.#idleMs;
  }

  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  setKeepAlive(_enable?: boolean, _initialDelay?: number): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: 'memory', port: this.localPort };
  }

  override _read(): void {
    // The peer's writer waits for us to read: release it (backpressure).
    const peer = this.#peer;
    const held = peer.#heldWrite;
    if (held) {
      peer.#heldWrite = undefined;
      held();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.#touch();
    // Delivered asynchronously, as a socket would: never re-enter the reader from write().
    process.nextTick(() => this.#deliver(chunk, callback));
  }

  #deliver(chunk: Buffer, callback: WriteCallback): void {
    const peer = this.#peer;
    if (peer.destroyed || peer.#eofReceived) {
      callback(new SimulatedSocketError('EPIPE', 'write'));
      return;
    }
    this.bytesWritten += chunk.length;
    peer.bytesRead += chunk.length;
    peer.#touch();
    const more = peer.push(chunk);
    if (more || this.destroyed) callback();
    else this.#heldWrite = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    // FIN: queued behind the deliveries already scheduled, so it never overtakes data.
    process.nextTick(() => {
      this.#peer.#receiveEof();
      callback();
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearIdle();
    const peer = this.#peer;
    // Held writes (ours, and the peer's waiting for our reads) already sit in a buffer: the
    // writes themselves succeeded; later ones fail with EPIPE.
    const held = [this.#heldWrite, peer.#heldWrite];
    this.#heldWrite = undefined;
    peer.#heldWrite = undefined;
    if (!peer.destroyed) {
      if (error || this.#resetting) {
        process.nextTick(() => peer.destroy(new SimulatedSocketError('ECONNRESET', 'read')));
      } else {
        // Close: the peer reads what was already delivered, then end-of-stream.
        process.nextTick(() => peer.#receiveEof());
      }
    }
    callback(error);
    process.nextTick(() => {
      for (const release of held) release?.();
    });
  }

  #receiveEof(): void {
    if (this.#eofReceived || this.destroyed) return;
    this.#eofReceived = true;
    this.push(null);
  }

  #touch(): void {
    this.#idleTimer?.refresh();
  }

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}

/** Two connected in-memory socket ends (a socketpair). */
export function createMemoryDuplexPair(options: MemoryDuplexPairOptions = {}): [MemorySocket, MemorySocket] {
  return MemorySocket.createPair(options);
}

/** Resets a memory socket: it closes quietly and its peer emits 'error' with code ECONNRESET. */
export function resetMemorySocket(socket: MemorySocket): void {
  socket.resetAndDestroy();
}

export function isMemorySocket(value: unknown): value is MemorySocket {
  return value instanceof MemorySocket;
}

/** Number of memory socket ends created and not yet closed (emitted 'close'). */
export function liveMemorySockets(): number {
  return live.size;
}

/** A leak probe (see suite/support/leak-check.ts) counting open memory sockets. */
export const memorySocketProbe: { readonly name: string; readonly count: () => number } = {
  name: 'MemorySocket',
  count: liveMemorySockets,
};
