import { Buffer } from 'node:buffer';
import { killedReason } from './process-killed-error.js';
import { WakeSet } from './wake-set.js';

/**
 * A process's stdin: bytes written by whoever is attached, read by the program, then end of file.
 * `write()` returns false above the high-water mark and `onDrain` callbacks run once the program
 * has read enough, so a socket feeding it can pause (backpressure).
 */
export class InputPipe {
  readonly #highWaterMark: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;
  readonly #waiters = new WakeSet();
  #drainListeners = new Set<() => void>();

  constructor(highWaterMark = 64 * 1024) {
    this.#highWaterMark = highWaterMark;
  }

  /** An already-ended pipe (/dev/null). */
  static closed(): InputPipe {
    const pipe = new InputPipe();
    pipe.end();
    return pipe;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get buffered(): number {
    return this.#buffered;
  }

  write(chunk: Uint8Array): boolean {
    if (this.#ended || chunk.length === 0) return !this.#ended;
    this.#chunks.push(Buffer.from(chunk));
    this.#buffered += chunk.length;
    this.#notify();
    return this.#buffered < this.#highWaterMark;
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#notify();
    // Nobody will read what is left: release writers waiting for room.
    this.#drained();
  }

  /** Runs `listener` (once) when the buffer drops below the high-water mark or the pipe ends. */
  onDrain(listener: () => void): () => void {
    this.#drainListeners.add(listener);
    return () => this.#drainListeners.delete(listener);
  }

  /** Everything buffered now (at least one byte), or null at end of file. */
  async read(signal: AbortSignal): Promise<Buffer | null> {
    await this.#waitForData(signal);
    if (this.#buffered === 0) return null;
    return this.#take(this.#buffered);
  }

  /** Up to `n` bytes; fewer only at end of file (an empty buffer means end of file). */
  async readBytes(n: number, signal: AbortSignal): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      await this.#waitForData(signal);
      if (this.#buffered === 0) break;
      const part = this.#take(Math.min(n - got, this.#buffered));
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts);
  }

  /**
   * One line without its "\n"; `eof` is true when the input ended before a newline (the line then
   * holds what was read), and `line` is null when nothing at all was left.
   */
  async readLine(signal: AbortSignal): Promise<{ line: string | null; eof: boolean }> {
    const parts: Buffer[] = [];
    for (;;) {
      await this.#waitForData(signal);
      if (this.#buffered === 0) {
        const text = Buffer.concat(parts).toString('utf8');
        return { line: parts.length === 0 ? null : text, eof: true };
      }
      const head = this.#chunks[0] as Buffer;
      const newline = head.indexOf(0x0a);
      if (newline >= 0) {
        parts.push(this.#take(newline + 1).subarray(0, newline));
        return { line: Buffer.concat(parts).toString('utf8'), eof: false };
      }
      parts.push(this.#take(head.length));
    }
  }

  #take(n: number): Buffer {
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const head = this.#chunks[0] as Buffer;
      if (head.length <= left) {
        parts.push(head);
        this.#chunks.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        this.#chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    const wasAbove = this.#buffered >= this.#highWaterMark;
    this.#buffered -= n;
    if (wasAbove && this.#buffered < this.#highWaterMark) this.#drained();
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  #drained(): void {
    const listeners = [...this.#drainListeners];
    this.#drainListeners.clear();
    for (const listener of listeners) listener();
  }

  #notify(): void {
    this.#waiters.wakeAll();
  }

  async #waitForData(signal: AbortSignal): Promise<void> {
    while (this.#buffered === 0 && !this.#ended) {
      await this.#waiters.wait(signal);
    }
    if (signal.aborted) throw killedReason(signal);
  }
}
