import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';

/**
 * Pull-based reading of a socket in paused mode: nothing is read until asked for, so a slow
 * consumer holds the peer back through TCP (or memory-socket) backpressure.
 */
export class SocketReader {
  readonly #socket: Duplex;
  #pending: Buffer[] = [];
  #ended = false;
  #error: Error | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(socket: Duplex) {
    this.#socket = socket;
    const wake = (): void => {
      const waiters = [...this.#waiters];
      this.#waiters.clear();
      for (const resume of waiters) resume();
    };
    socket.on('readable', wake);
    socket.on('end', () => {
      this.#ended = true;
      wake();
    });
    socket.on('error', (error: Error) => {
      this.#error ??= error;
      wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      wake();
    });
  }

  /** True once the peer sent FIN (or the socket closed) and every byte before it was read. */
  get atEof(): boolean {
    return this.#pending.length === 0 && (this.#ended || this.#socket.readableEnded);
  }

  /** Puts bytes back in front (they were read but belong to the next consumer). */
  unshift(chunk: Buffer): void {
    if (chunk.length > 0) this.#pending.unshift(chunk);
  }

  /** Bytes already read from the socket and not consumed. */
  takeBuffered(): Buffer {
    const data = Buffer.concat(this.#pending);
    this.#pending = [];
    return data;
  }

  /** The next chunk, at most `max` bytes; null at end of stream. Rejects on a socket error. */
  async read(max = Infinity): Promise<Buffer | null> {
    for (;;) {
      const head = this.#pending.shift();
      if (head) {
        if (head.length > max) {
          this.#pending.unshift(head.subarray(max));
          return head.subarray(0, max);
        }
        return head;
      }
      if (this.#error) throw this.#error;
      const chunk = this.#socket.destroyed ? null : (this.#socket.read() as Buffer | null);
      if (chunk !== null) {
        this.#pending.push(chunk);
        continue;
      }
      if (this.#ended || this.#socket.readableEnded || this.#socket.destroyed) return null;
      await new Promise<void>((resolve) => {
        this.#waiters.add(resolve);
      });
    }
  }

  /** Waits until data, end of stream or an error is available, without consuming anything. */
  async waitReadable(): Promise<'data' | 'eof' | 'error'> {
    for (;;) {
      if (this.#pending.length > 0) return 'data';
      if (this.#error) return 'error';
      const chunk = this.#socket.destroyed ? null : (this.#socket.read() as Buffer | null);
      if (chunk !== null) {
        this.#pending.push(chunk);
        return 'data';
      }
      if (this.#ended || this.#socket.readableEnded || this.#socket.destroyed) return 'eof';
      await new Promise<void>((resolve) => {
        this.#waiters.add(resolve);
      });
    }
  }

  /** Wakes every pending read (they re-check the socket state). */
  wakeAll(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const resume of waiters) resume();
  }
}
