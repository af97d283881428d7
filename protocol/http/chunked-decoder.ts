import type { Buffer } from 'node:buffer';
import {
  ChunkBareLfError,
  ChunkDataCrlfError,
  ChunkLineTooLongError,
  InvalidChunkSizeError,
  TrailerTooLargeError,
  type HttpBodyError,
} from './http-body-errors.js';

/*
 * The limits and line rules of every chunked body the reference reads, client's or guest's:
 *
 * - A line of the chunked coding (a chunk-size line with its extensions, or a trailer line) must
 *   end with CRLF. RFC 9112 7.1 writes every such line with CRLF; the bare-LF tolerance of RFC
 *   9112 2.2 covers only the start line and header fields, and a LF that one parser takes for a
 *   line end and the next does not is how chunked bodies get smuggled (RFC 9112 11.2). The head
 *   parser refuses bare LF for the same reason (ERR_HTTP_HEAD_BARE_LF), and Go's net/http, which
 *   dockerd runs on, refuses it in chunk lines too.
 * - A line is at most MAX_CHUNK_LINE_BYTES, its CRLF included. RFC 9112 7.1.1 asks a recipient to
 *   bound chunk extensions; no Docker client or dockerd sends any, and 4096 is Go's own bound
 *   (net/http/internal `maxLineLength`). BAD-6 sends a 5 KiB chunk-size line that must be refused.
 * - The trailer section (RFC 9112 7.1.2) is read and dropped, at most MAX_TRAILER_BYTES of it, the
 *   same bound as a head (HTTP_HEAD_MAX_BYTES, UPG-6).
 * - A chunk size is 1 to 12 hex digits (below 2^48, an exact JavaScript number), then optional
 *   whitespace and extensions: nothing before the digits, no sign, no 0x.
 */

/** The longest line of the chunked coding accepted, CRLF included. */
export const MAX_CHUNK_LINE_BYTES = 4096;
/** The largest trailer section accepted, its final empty line included. */
export const MAX_TRAILER_BYTES = 8192;

const CR = 0x0d;
const LF = 0x0a;
const SIZE_LINE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;[\t\x20-\x7e\x80-\xff]*)?$/;

/** What one push() found: payload pieces (never empty ones), and once done, what followed the body. */
export interface ChunkedOutput {
  readonly data: Buffer[];
  /** The bytes after the body's final CRLF (the next message); empty until `done`. */
  readonly rest: Buffer;
  readonly done: boolean;
}

type State = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

/**
 * Incremental RFC 9112 7.1 decoder: bytes in, payload out. A defect throws an HttpBodyError
 * (every later push() throws it again); payload found earlier in the same push() is not
 * returned, so nothing at or past a defect is ever yielded.
 */
export class ChunkedDecoder {
  #state: State = 'size';
  #remaining = 0;
  #line = '';
  #trailerBytes = 0;
  #failure: HttpBodyError | undefined;

  /** The last chunk and the trailer section have been read. */
  get done(): boolean {
    return this.#state === 'done';
  }

  push(input: Buffer): ChunkedOutput {
    if (this.#failure !== undefined) throw this.#failure;
    const data: Buffer[] = [];
    let at = 0;
    try {
      while (at < input.length && this.#state !== 'done') at = this.#step(input, at, data);
    } catch (error) {
      this.#failure = error as HttpBodyError;
      throw error;
    }
    return { data, rest: input.subarray(at), done: this.#state === 'done' };
  }

  /** Consumes input from `at` on in the current state; returns where it stopped. */
  #step(input: Buffer, at: number, data: Buffer[]): number {
    switch (this.#state) {
      case 'data': {
        const take = Math.min(this.#remaining, input.length - at);
        data.push(input.subarray(at, at + take));
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-cr';
        return at + take;
      }
      case 'data-cr':
        if (input[at] === LF) throw new ChunkBareLfError();
        if (input[at] !== CR) throw new ChunkDataCrlfError();
        this.#state = 'data-lf';
        return at + 1;
      case 'data-lf':
        if (input[at] !== LF) throw new ChunkDataCrlfError();
        this.#state = 'size';
        return at + 1;
      default:
        return this.#readLine(input, at);
    }
  }

  /** Collects a chunk-size or trailer line up to its LF, then acts on it. */
  #readLine(input: Buffer, at: number): number {
    const lf = input.indexOf(LF, at);
    const end = lf === -1 ? input.length : lf + 1;
    this.#line += input.toString('latin1', at, end);
    if (this.#line.length > MAX_CHUNK_LINE_BYTES) throw new ChunkLineTooLongError(MAX_CHUNK_LINE_BYTES);
    if (this.#state === 'trailer') {
      this.#trailerBytes += end - at;
      if (this.#trailerBytes > MAX_TRAILER_BYTES) throw new TrailerTooLargeError(MAX_TRAILER_BYTES);
    }
    if (lf === -1) return end;
    if (this.#line.length < 2 || this.#line.charCodeAt(this.#line.length - 2) !== CR) {
      throw new ChunkBareLfError();
    }
    const text = this.#line.slice(0, -2);
    this.#line = '';
    if (this.#state === 'trailer') {
      // Trailer fields are dropped; the empty line ends the body.
      if (text === '') this.#state = 'done';
      return end;
    }
    const size = SIZE_LINE.exec(text)?.[1];
    if (size === undefined) throw new InvalidChunkSizeError(text);
    this.#remaining = Number.parseInt(size, 16);
    this.#state = this.#remaining === 0 ? 'trailer' : 'data';
    return end;
  }
}
