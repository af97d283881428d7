import { Buffer } from 'node:buffer';
import type { HeaderList } from '../../../protocol/header-list.js';

const LF = 0x0a;
const CR = 0x0d;
/** More hex digits than this cannot be a size anyone means (2^60 bytes). */
const MAX_SIZE_DIGITS = 15;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done' | 'broken';

/**
 * The suite's one Transfer-Encoding: chunked decoder (RFC 9112 7.1), incremental and tolerant:
 * it never throws. It decodes as far as the bytes allow, reports every departure from the grammar
 * in `defects` (a bare LF, junk after a size, data not followed by CRLF, a body cut short) and
 * stops only where it cannot go on (a size line without a hex digit, a size of more than 15 hex
 * digits): it is then `broken`, and `rest()` holds the bytes from the line it could not read.
 */
export class ChunkedDecoder {
  #state: State = 'size';
  #pending: Buffer = Buffer.alloc(0);
  #remaining = 0;
  readonly #chunks: Buffer[] = [];
  #decoded = 0;
  readonly #defects: string[] = [];
  readonly #trailers: [string, string][] = [];
  #bareLf = false;
  /** Bytes consumed so far, for the offsets in defects. */
  #offset = 0;

  /** True once the last chunk and the trailer section (its blank line included) have arrived. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** True when a defect stopped the decoding. */
  get broken(): boolean {
    return this.#state === 'broken';
  }

  get defects(): readonly string[] {
    return this.#defects;
  }

  /** Trailer fields after the last chunk, in order. */
  get trailers(): HeaderList {
    return this.#trailers;
  }

  /** Body bytes decoded so far. */
  get length(): number {
    return this.#decoded;
  }

  /** The body decoded so far. */
  body(): Buffer {
    if (this.#chunks.length > 1) this.#chunks.splice(0, this.#chunks.length, Buffer.concat(this.#chunks));
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /** What was not decoded: the bytes after the body once done, or from where decoding stopped. */
  rest(): Buffer {
    return this.#state === 'done' || this.#state === 'broken' ? this.#pending : Buffer.alloc(0);
  }

  push(bytes: Uint8Array): void {
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#pending = this.#pending.length === 0 ? input : Buffer.concat([this.#pending, input]);
    while (this.#step()) {
      // each step consumes what it can
    }
  }

  /** The input ended (the connection closed): a body that is not done was cut short. */
  end(): void {
    if (this.#state === 'done' || this.#state === 'broken') return;
    const where =
      this.#state === 'data'
        ? `with ${this.#remaining} bytes of a chunk missing`
        : this.#state === 'trailer'
          ? 'in the trailer section after the last chunk'
          : 'before the last chunk';
    this.#defects.push(`the chunked body ended ${where} (${this.#decoded} body bytes decoded)`);
  }

  #defect(text: string): void {
    this.#defects.push(`${text} (at byte ${this.#offset} of the chunked body)`);
  }

  #consume(count: number): void {
    this.#pending = this.#pending.subarray(count);
    this.#offset += count;
  }

  /** Takes one line (without its line end) off the pending bytes; undefined until a LF arrived. */
  #line(): string | undefined {
    const lf = this.#pending.indexOf(LF);
    if (lf < 0) return undefined;
    const crlf = lf > 0 && this.#pending[lf - 1] === CR;
    if (!crlf && !this.#bareLf) {
      this.#bareLf = true;
      this.#defect('a line of the chunked body ends in a bare LF');
    }
    const line = this.#pending.toString('latin1', 0, crlf ? lf - 1 : lf);
    this.#consume(lf + 1);
    return line;
  }

  /** One step of the state machine; false when it needs more bytes or has finished. */
  #step(): boolean {
    switch (this.#state) {
      case 'size': {
        const [start, before] = [this.#offset, this.#pending];
        const line = this.#line();
        if (line === undefined) return false;
        const match = /^([ \t]*)([0-9a-fA-F]*)(.*)$/s.exec(line)!;
        const [, blank = '', digits = '', after = ''] = match;
        if (digits === '' || digits.length > MAX_SIZE_DIGITS) {
          this.#defects.push(
            `${digits === '' ? 'a chunk size line without a hex size' : 'a chunk size of more than 15 hex digits'}: ${JSON.stringify(line.slice(0, 80))} (at byte ${start} of the chunked body)`,
          );
          // Hand back the line that could not be read: it is where the stream stopped being chunks.
          [this.#offset, this.#pending] = [start, before];
          this.#state = 'broken';
          return false;
        }
        if (blank !== '')
          this.#defect(`whitespace before the chunk size ${JSON.stringify(line.slice(0, 80))}`);
        if (!/^[ \t]*(?:;.*)?$/s.test(after)) {
          this.#defect(`junk after the chunk size: ${JSON.stringify(line.slice(0, 80))}`);
        }
        const size = Number.parseInt(digits, 16);
        if (size === 0) this.#state = 'trailer';
        else {
          this.#remaining = size;
          this.#state = 'data';
        }
        return true;
      }
      case 'data': {
        if (this.#pending.length === 0) return false;
        const take = Math.min(this.#pending.length, this.#remaining);
        this.#chunks.push(this.#pending.subarray(0, take));
        this.#decoded += take;
        this.#remaining -= take;
        this.#consume(take);
        if (this.#remaining === 0) this.#state = 'data-end';
        return true;
      }
      case 'data-end': {
        if (this.#pending.length === 0) return false;
        if (this.#pending[0] === CR) {
          if (this.#pending.length < 2) return false;
          if (this.#pending[1] === LF) {
            this.#consume(2);
            this.#state = 'size';
            return true;
          }
        }
        const line = this.#line();
        if (line === undefined) return false;
        if (line !== '') {
          // The chunk was longer than its size said: skip to the next line and read a size there.
          this.#defect(`chunk data not followed by CRLF (${JSON.stringify(line.slice(0, 40))} came first)`);
        }
        this.#state = 'size';
        return true;
      }
      case 'trailer': {
        const line = this.#line();
        if (line === undefined) return false;
        if (line === '') {
          this.#state = 'done';
          return false;
        }
        const colon = line.indexOf(':');
        if (colon <= 0)
          this.#defect(`a trailer line that is not a header field: ${JSON.stringify(line.slice(0, 80))}`);
        else this.#trailers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
        return true;
      }
      default:
        return false;
    }
  }
}

/** The outcome of decoding a whole chunked body at once. */
export interface ChunkedBody {
  readonly body: Buffer;
  readonly done: boolean;
  readonly broken: boolean;
  readonly defects: readonly string[];
  readonly trailers: HeaderList;
  /** The bytes after the body (once done), or from where decoding stopped (once broken). */
  readonly rest: Buffer;
}

/**
 * Decodes the chunked body at the start of `bytes`. With `ended` (the default), the bytes are all
 * there is: a body that is not done is reported as cut short.
 */
export function decodeChunked(bytes: Uint8Array, options: { readonly ended?: boolean } = {}): ChunkedBody {
  const decoder = new ChunkedDecoder();
  decoder.push(bytes);
  if (options.ended !== false) decoder.end();
  return {
    body: decoder.body(),
    done: decoder.done,
    broken: decoder.broken,
    defects: decoder.defects,
    trailers: decoder.trailers,
    rest: decoder.rest(),
  };
}

/** Encodes `body` as one chunk and the last chunk (what `docker cp` and the suite's clients send). */
export function encodeChunked(body: Uint8Array): Buffer {
  if (body.byteLength === 0) return Buffer.from('0\r\n\r\n', 'latin1');
  return Buffer.concat([
    Buffer.from(`${body.byteLength.toString(16)}\r\n`, 'latin1'),
    body,
    Buffer.from('\r\n0\r\n\r\n', 'latin1'),
  ]);
}
