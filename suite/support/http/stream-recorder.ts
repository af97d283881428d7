import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import { StreamObserver } from '../../../protocol/stream-observer.js';
import { ClauseViolationError } from '../suite-errors.js';

/** Default deadline of the suite's waits on a stream: generous for a loaded 2-core machine. */
export const STREAM_WAIT_MS = 10_000;

/**
 * Everything a stream has delivered so far (byte for byte; `text` is latin1, one character per
 * byte) and how it ended, with event waits that fail the clause (ClauseViolationError, not a
 * harness error) when the other side never delivers. Waits re-check on every stream event; their
 * timers are cleared whichever way they end.
 */
export class StreamRecorder extends StreamObserver {
  #chunks: Buffer[] = [];
  #length = 0;
  #text: string | undefined = '';

  /** `initial`: bytes read off the stream before the recorder was attached (they come first). */
  constructor(stream: Readable, initial?: Buffer) {
    super(stream);
    if (initial !== undefined && initial.length > 0) this.onChunk(initial);
  }

  protected override onChunk(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
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
    return this.#length;
  }

  /** True once the stream ended in any way (clean end, error or close). */
  get finished(): boolean {
    return this.ended || this.error !== undefined || this.closed;
  }

  /** How the stream stands, for failure messages. */
  protected state(): string {
    if (this.error !== undefined) return `failed (${this.error.code ?? this.error.message})`;
    if (this.ended) return 'ended';
    if (this.closed) return 'closed without an end';
    return 'still open';
  }

  /** Waits until `condition` holds; fails the clause naming `what` and what came after `timeoutMs`. */
  until(condition: (recorder: this) => boolean, what: string, timeoutMs = STREAM_WAIT_MS): Promise<void> {
    return this.waitFor(condition, timeoutMs, () => {
      const seen = JSON.stringify(this.text.slice(0, 300));
      return new ClauseViolationError(
        `expected ${what} within ${timeoutMs} ms; received so far ${seen} (${this.length} bytes), stream ${this.state()}`,
      );
    });
  }

  /** Waits for `needle` (latin1); returns the text so far. */
  async untilIncludes(needle: string, timeoutMs?: number): Promise<string> {
    await this.until((r) => r.text.includes(needle), JSON.stringify(needle.slice(0, 80)), timeoutMs);
    return this.text;
  }

  /** Waits for the end of the stream in any way (FIN, error or close). */
  async untilFinished(what = 'the end of the stream', timeoutMs?: number): Promise<void> {
    await this.until((r) => r.finished, what, timeoutMs);
  }

  /** Waits for a clean end of stream (FIN); a clause violation on an error or a close without it. */
  async untilEnded(timeoutMs?: number): Promise<string> {
    await this.untilFinished('the end of the stream', timeoutMs);
    if (!this.ended)
      throw new ClauseViolationError(`expected a clean end of stream; the stream ${this.state()}`);
    return this.text;
  }
}
