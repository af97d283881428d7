import type { Readable } from 'node:stream';
import { StreamObserver } from '../../protocol/stream-observer.js';

/** Why a StreamReader wait gave up. */
export class StreamReaderTimeoutError extends Error {
  readonly code = 'ERR_STREAM_READER_TIMEOUT';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly seen: string,
  ) {
    super(`no ${what} within ${timeoutMs} ms; read so far: ${JSON.stringify(seen.slice(0, 200))}`);
  }
}

/**
 * Test helper: collects what a stream emits (as latin1 text, byte for byte) and lets a test await
 * a condition on it, the stream's end or its error, without sleeping.
 */
export class StreamReader extends StreamObserver {
  text = '';

  constructor(readonly stream: Readable) {
    super(stream);
  }

  protected override onChunk(chunk: Buffer): void {
    this.text += chunk.toString('latin1');
  }

  /** Waits until `condition` holds; rejects after `timeoutMs`. */
  async until(condition: (reader: this) => boolean, what = 'condition', timeoutMs = 2000): Promise<void> {
    await this.waitFor(condition, timeoutMs, () => new StreamReaderTimeoutError(what, timeoutMs, this.text));
  }

  /** Waits until the text contains `needle`; returns the text. */
  async includes(needle: string, timeoutMs?: number): Promise<string> {
    await this.until((r) => r.text.includes(needle), JSON.stringify(needle), timeoutMs);
    return this.text;
  }

  /** Waits until at least `n` bytes have been read. */
  async bytes(n: number, timeoutMs?: number): Promise<string> {
    await this.until((r) => r.text.length >= n, `${n} bytes`, timeoutMs);
    return this.text;
  }

  /** Waits for 'end'; returns everything read. */
  async end(timeoutMs?: number): Promise<string> {
    await this.until((r) => r.ended, "'end'", timeoutMs);
    return this.text;
  }

  /** Waits for 'error'; returns it. */
  async failure(timeoutMs?: number): Promise<Error & { code?: string }> {
    await this.until((r) => r.error !== undefined, "'error'", timeoutMs);
    return this.error!;
  }

  /** Waits for 'close'. */
  async close(timeoutMs?: number): Promise<void> {
    await this.until((r) => r.closed, "'close'", timeoutMs);
  }

  /** Drops the first `n` characters of what was read (to read the next message on a keep-alive stream). */
  consume(n: number): void {
    this.text = this.text.slice(n);
  }
}
