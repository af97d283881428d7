const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** How much of an over-long line its error shows, in bytes. */
const HEAD_BYTES = 80;

export interface LineReaderOptions {
  /** §2: the longest line, in bytes, not counting its ending. */
  readonly maxLineBytes: number;
  /** A whole line, decoded, without its ending. */
  readonly onLine: (text: string) => void;
  /** A line went over the cap (`head` is its start); the reader stops. */
  readonly onTooLong: (head: string) => void;
}

/**
 * §2 framing, on bytes: splits what a driver writes into lines at `\n`, drops a `\r` right before
 * it, counts a line's length in bytes and decodes it only once it is whole (so a character split
 * across reads is never cut), reading bytes that are not UTF-8 as U+FFFD. A line that outgrows
 * the cap stops the reader at once, without waiting for its end.
 */
export class LineReader {
  readonly #options: LineReaderOptions;
  readonly #decoder = new TextDecoder('utf-8');
  /** The start of the current line, as the slices of the chunks it came in. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  #stopped = false;

  constructor(options: LineReaderOptions) {
    this.#options = options;
  }

  /** Takes the next bytes from the driver. */
  push(chunk: Buffer): void {
    let start = 0;
    while (!this.#stopped) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) {
        this.#hold(chunk.subarray(start));
        return;
      }
      this.#hold(chunk.subarray(start, end));
      if (!this.#stopped) this.#release(true);
      start = end + 1;
    }
  }

  /** The input ended: a last line without its `\n` still counts. */
  end(): void {
    if (!this.#stopped && this.#heldBytes > 0) this.#release(false);
    this.stop();
  }

  /** Reads nothing more (what is held is dropped). */
  stop(): void {
    this.#stopped = true;
    this.#held = [];
    this.#heldBytes = 0;
  }

  #hold(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#held.push(piece);
    this.#heldBytes += piece.length;
    // One byte more than the cap may still be the `\r` of a `\r\n` ending.
    if (this.#heldBytes > this.#options.maxLineBytes + 1) this.#tooLong();
  }

  #release(terminated: boolean): void {
    let line = this.#held.length === 1 ? this.#held[0]! : Buffer.concat(this.#held, this.#heldBytes);
    this.#held = [];
    this.#heldBytes = 0;
    if (terminated && line.at(-1) === CARRIAGE_RETURN) line = line.subarray(0, -1);
    if (line.length > this.#options.maxLineBytes) {
      this.#held = [line];
      this.#heldBytes = line.length;
      this.#tooLong();
      return;
    }
    this.#options.onLine(this.#decoder.decode(line));
  }

  #tooLong(): void {
    const head = Buffer.concat(this.#held, Math.min(this.#heldBytes, HEAD_BYTES));
    this.stop();
    this.#options.onTooLong(this.#decoder.decode(head));
  }
}
