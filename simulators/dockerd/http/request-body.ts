import { Buffer } from 'node:buffer';
import { BerthError } from '../../../protocol/errors.js';
import type { SocketReader } from './socket-reader.js';

/** The request body could not be read: malformed chunking, or the client went away mid-body. */
export class RequestBodyError extends BerthError {
  readonly code = 'ERR_DOCKERD_REQUEST_BODY';
}

const MAX_CHUNK_LINE = 4096;

/**
 * A request body read on demand from the connection: Content-Length bytes, a chunked body
 * (RFC 9112 §7.1, trailers skipped), or nothing. `onFirstRead` runs before the first read (the
 * "100 Continue" of a request that expects it).
 */
export class RequestBody implements AsyncIterable<Buffer> {
  readonly #reader: SocketReader;
  readonly #chunked: boolean;
  #remaining: number;
  /** Chunked: bytes left in the current chunk, -1 between chunks. */
  #chunkLeft = -1;
  #done: boolean;
  #bytesRead = 0;
  #onFirstRead: (() => Promise<void>) | undefined;

  readonly #onEnd: (() => void) | undefined;

  constructor(
    reader: SocketReader,
    framing: { readonly length: number } | { readonly chunked: true },
    hooks: { readonly onFirstRead?: () => Promise<void>; readonly onEnd?: () => void } = {},
  ) {
    this.#reader = reader;
    this.#onEnd = hooks.onEnd;
    this.#chunked = 'chunked' in framing;
    this.#remaining = 'length' in framing ? framing.length : 0;
    this.#done = !this.#chunked && this.#remaining === 0;
    this.#onFirstRead = hooks.onFirstRead;
  }

  /** True once the whole body has been read (or there was none). */
  get done(): boolean {
    return this.#done;
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** True when the request announced a body (a Content-Length above 0 or chunking). */
  get present(): boolean {
    return this.#chunked || this.#remaining > 0 || this.#bytesRead > 0;
  }

  /** The next piece of the body, or null at its end. */
  async read(): Promise<Buffer | null> {
    if (this.#done) return null;
    const first = this.#onFirstRead;
    if (first) {
      this.#onFirstRead = undefined;
      await first();
    }
    const data = this.#chunked ? await this.#readChunked() : await this.#readLength();
    if (data) this.#bytesRead += data.length;
    if (this.#done) this.#onEnd?.();
    return data;
  }

  /** The whole body (rejects with RequestBodyError when it is longer than `limit`). */
  async readAll(limit = 64 * 1024 * 1024): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    for (let chunk = await this.read(); chunk; chunk = await this.read()) {
      total += chunk.length;
      if (total > limit) throw new RequestBodyError(`request body larger than ${limit} bytes`);
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }

  /** Reads and drops up to `max` bytes; true when the body ended within them. */
  async discard(max: number): Promise<boolean> {
    let dropped = 0;
    while (!this.#done) {
      const chunk = await this.read();
      if (!chunk) break;
      dropped += chunk.length;
      if (dropped > max) return false;
    }
    return true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let chunk = await this.read(); chunk; chunk = await this.read()) yield chunk;
  }

  async #readLength(): Promise<Buffer | null> {
    const chunk = await this.#reader.read(this.#remaining);
    if (chunk === null)
      throw new RequestBodyError(`connection ended with ${this.#remaining} body bytes missing`);
    this.#remaining -= chunk.length;
    if (this.#remaining === 0) this.#done = true;
    return chunk;
  }

  async #line(): Promise<string> {
    let line: Buffer = Buffer.alloc(0);
    for (;;) {
      const chunk = await this.#reader.read();
      if (chunk === null) throw new RequestBodyError('connection ended inside a chunked body');
      const joined = line.length === 0 ? chunk : Buffer.concat([line, chunk]);
      const at = joined.indexOf('\r\n');
      if (at >= 0) {
        this.#reader.unshift(joined.subarray(at + 2));
        return joined.subarray(0, at).toString('latin1');
      }
      if (joined.length > MAX_CHUNK_LINE) throw new RequestBodyError('chunk size line too long');
      line = joined;
    }
  }

  async #readChunked(): Promise<Buffer | null> {
    for (;;) {
      if (this.#chunkLeft === -1) {
        const sizeLine = await this.#line();
        const size = /^([0-9a-fA-F]{1,15})[ \t]*(?:;.*)?$/.exec(sizeLine)?.[1];
        if (size === undefined) throw new RequestBodyError(`bad chunk size line ${JSON.stringify(sizeLine)}`);
        this.#chunkLeft = Number.parseInt(size, 16);
        if (this.#chunkLeft === 0) {
          // Trailer section: lines until an empty one.
          while ((await this.#line()) !== '');
          this.#done = true;
          return null;
        }
      }
      if (this.#chunkLeft > 0) {
        const chunk = await this.#reader.read(this.#chunkLeft);
        if (chunk === null) throw new RequestBodyError('connection ended inside a chunk');
        this.#chunkLeft -= chunk.length;
        if (this.#chunkLeft === 0) this.#chunkLeft = -2;
        return chunk;
      }
      // -2: the CRLF after a chunk's data.
      const crlf = await this.#line();
      if (crlf !== '') throw new RequestBodyError('chunk data not followed by CRLF');
      this.#chunkLeft = -1;
    }
  }
}
