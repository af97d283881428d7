import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';

/**
 * Pull-based reads from a socket in paused mode (`'readable'` + `read()`), so a slow consumer
 * holds the peer back. release() hands the socket on untouched: once the `'readable'` listener is
 * gone Node resets the stream to its initial mode, and a new `'data'` listener makes it flow.
 */
export class ByteReader {
  readonly #socket: Duplex;
  #pending: Buffer[] = [];
  #ended = false;
  #error: Error | undefined;
  #released = false;
  #wake: (() => void) | undefined;
  #idle: (() => void) | undefined;
  #received = 0;
  readonly #onReadable = (): void => this.#notify();
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notify();
  };
  readonly #onError = (error: Error): void => {
    this.#error ??= error;
    this.#notify();
  };

  constructor(socket: Duplex) {
    this.#socket = socket;
    socket.on('readable', this.#onReadable);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('error', this.#onError);
  }

  /** True once every byte before the peer's FIN has been read. */
  get atEof(): boolean {
    return (
      this.#pending.length === 0 && (this.#ended || this.#socket.readableEnded || this.#socket.destroyed)
    );
  }

  /** Bytes taken from the socket so far (put-back bytes are not counted twice). */
  get received(): number {
    return this.#received;
  }

  /** Puts bytes back in front: they were read but belong to the next consumer. */
  unshift(chunk: Buffer): void {
    if (chunk.length > 0) this.#pending.unshift(chunk);
  }

  /** The next chunk, at most `max` bytes; null at end of stream. Rejects on a socket error. */
  async read(max = Infinity): Promise<Buffer | null> {
    for (;;) {
      const head = this.#pending.shift();
      if (head !== undefined) {
        if (head.length <= max) return head;
        this.#pending.unshift(head.subarray(max));
        return head.subarray(0, max);
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#released) return null;
      const chunk = this.#socket.destroyed ? null : (this.#socket.read() as Buffer | null);
      if (chunk !== null) {
        this.#received += chunk.length;
        this.#pending.push(chunk);
        continue;
      }
      if (this.#ended || this.#socket.readableEnded || this.#socket.destroyed) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /**
   * Exactly `length` bytes if they have already arrived (nothing waits), else undefined with
   * nothing consumed: lets a small answer that came whole go out in one write.
   */
  takeBuffered(length: number): Buffer | undefined {
    let have = this.buffered;
    while (have < length && !this.#released && !this.#socket.destroyed) {
      const chunk = this.#socket.read() as Buffer | null;
      if (chunk === null) break;
      this.#received += chunk.length;
      this.#pending.push(chunk);
      have += chunk.length;
    }
    if (have < length) return undefined;
    const joined = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = joined.length > length ? [joined.subarray(length)] : [];
    return joined.subarray(0, length);
  }

  /** Stops reading and returns the bytes read but not consumed; the socket is left to its next owner. */
  release(): Buffer {
    this.#released = true;
    this.#socket.removeListener('readable', this.#onReadable);
    this.#socket.removeListener('end', this.#onEnd);
    this.#socket.removeListener('close', this.#onEnd);
    this.#socket.removeListener('error', this.#onError);
    const rest = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#notify();
    return rest;
  }

  /** Bytes read from the socket but not consumed yet. */
  get buffered(): number {
    return this.#pending.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /**
   * While no read waits, calls `onActivity` when the peer sends a byte, ends or fails (an idle
   * keep-alive connection that must be dropped); undefined stops watching. No listener is added:
   * the reader's own are reused.
   */
  watchIdle(onActivity: (() => void) | undefined): void {
    this.#idle = onActivity;
    // What arrived before the watch began counts too.
    if (onActivity !== undefined && this.#wake === undefined) this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake !== undefined) {
      wake();
      return;
    }
    const idle = this.#idle;
    if (idle === undefined) return;
    // A 'readable' event may come late for bytes already taken: only real activity counts.
    const chunk = this.#socket.destroyed ? null : (this.#socket.read() as Buffer | null);
    if (chunk !== null) {
      this.#received += chunk.length;
      this.#pending.push(chunk);
    }
    if (chunk !== null || this.#ended || this.#error !== undefined || this.#socket.destroyed) idle();
  }
}
