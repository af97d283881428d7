import { Buffer } from 'node:buffer';
import { BerthError } from '../../../protocol/errors.js';
import {
  ChunkedBodyError,
  createChunkedDecoder,
  type ChunkedDecoder,
  type ChunkedProgress,
} from '../../http/chunked-decoder.js';
import type { SocketReader } from './socket-reader.js';

/** The request body could not be read: malformed chunking, or the client went away mid-body. */
export class RequestBodyError extends BerthError {
  readonly code = 'ERR_DOCKERD_REQUEST_BODY';
}

/**
 * A request body read on demand from the connection: Content-Length bytes, a chunked body
 * (RFC 9112 §7.1, trailers skipped), or nothing. `onFirstRead` runs before the first read (the
 * "100 Continue" of a request that expects it).
 */
export class RequestBody implements AsyncIterable<Buffer> {
  readonly #reader: SocketReader;
  /** Content-Length: bytes still due. */
  #remaining: number;
  readonly #decoder: ChunkedDecoder | undefined;
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
    this.#decoder = 'chunked' in framing ? createChunkedDecoder() : undefined;
    this.#remaining = 'length' in framing ? framing.length : 0;
    this.#done = this.#decoder === undefined && this.#remaining === 0;
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
    return this.#decoder !== undefined || this.#remaining > 0 || this.#bytesRead > 0;
  }

  /** The next piece of the body, or null at its end. */
  async read(): Promise<Buffer | null> {
    if (this.#done) return null;
    const first = this.#onFirstRead;
    if (first) {
      this.#onFirstRead = undefined;
      await first();
    }
    const data = this.#decoder ? await this.#readChunked(this.#decoder) : await this.#readLength();
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

  async #readChunked(decoder: ChunkedDecoder): Promise<Buffer | null> {
    for (;;) {
      const chunk = await this.#reader.read();
      if (chunk === null) throw new RequestBodyError('connection ended inside a chunked body');
      let progress: ChunkedProgress;
      try {
        progress = decoder.push(chunk);
      } catch (error) {
        if (error instanceof ChunkedBodyError) throw new RequestBodyError(error.message, { cause: error });
        throw error;
      }
      if (progress.done) {
        // What follows the body belongs to the next request.
        this.#reader.unshift(progress.rest);
        this.#done = true;
      }
      if (progress.data.length > 0) return progress.data;
      if (progress.done) return null;
    }
  }
}
