import { Buffer } from 'node:buffer';
import { StreamObserver } from '../../protocol/stream-observer.js';
import { ClauseViolationError } from '../support/suite-errors.js';

/**
 * Everything a stream has delivered so far (latin1 text, byte for byte) and how it ended, with
 * waits that fail the clause (not the harness) when the target never delivers.
 */
export class Received extends StreamObserver {
  #chunks: Buffer[] = [];
  #text: string | undefined = '';

  protected override onChunk(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#text = undefined;
  }

  get bytes(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  get text(): string {
    this.#text ??= this.bytes.toString('latin1');
    return this.#text;
  }

  get length(): number {
    return this.#chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** True once the stream ended in any way (clean end, error or close). */
  get finished(): boolean {
    return this.ended || this.error !== undefined || this.closed;
  }

  /** Waits until `condition` holds; fails the clause naming `what` after `timeoutMs`. */
  async until(condition: (received: this) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    await this.waitFor(condition, timeoutMs, () => {
      const seen = JSON.stringify(this.text.slice(0, 300));
      return new ClauseViolationError(`expected ${what} within ${timeoutMs} ms; received so far ${seen}`);
    });
  }

  /** Waits for `needle`; returns the text so far. */
  async includes(needle: string, timeoutMs?: number): Promise<string> {
    await this.until((r) => r.text.includes(needle), JSON.stringify(needle.slice(0, 80)), timeoutMs);
    return this.text;
  }

  /** Waits for a clean end of stream; returns the text. */
  async end(timeoutMs?: number): Promise<string> {
    await this.until((r) => r.finished, 'the end of the stream', timeoutMs);
    if (!this.ended) {
      throw new ClauseViolationError(
        `expected a clean end of stream, got ${this.error ? `error ${this.error.code ?? this.error.message}` : 'a close without end'}`,
      );
    }
    return this.text;
  }
}
