import { Buffer } from 'node:buffer';
import {
  HttpHeadBareLfError,
  HttpHeadIncompleteError,
  HttpHeadReaderClosedError,
  HttpHeadTooLargeError,
  type HttpHeadParseError,
} from './http-head-errors.js';
import { parseHeadLines, scanHead } from './http-head-lines.js';
import { HTTP_HEAD_MAX_BYTES, type HeadKind, type RequestHead, type ResponseHead } from './http-head.js';

export type HeadReadState<H> =
  | { readonly state: 'partial' }
  /** `rest`: the bytes that arrived after the CRLFCRLF (C.4: they belong to the stream). */
  | { readonly state: 'done'; readonly head: H; readonly rest: Buffer }
  | { readonly state: 'error'; readonly error: HttpHeadParseError };

/** What end() can return: a reader is never left partial. */
export type HeadReadEnd<H> = Exclude<HeadReadState<H>, { readonly state: 'partial' }>;

/**
 * Incremental head reader. It never throws and holds at most `maxBytes` bytes. Once it has
 * finished, push() and end() report ERR_HTTP_HEAD_READER_CLOSED (after `done`) or the same error.
 */
export interface HeadReader<H> {
  push(chunk: Uint8Array): HeadReadState<H>;
  /** End of input before the head completed: ERR_HTTP_HEAD_INCOMPLETE. */
  end(): HeadReadEnd<H>;
}

export interface HeadReaderOptions<K extends HeadKind> {
  readonly kind: K;
  /** UPG-6: the largest head accepted, terminating CRLFCRLF included; default 8192. */
  readonly maxBytes?: number;
}

export function createHeadReader(options: HeadReaderOptions<'request'>): HeadReader<RequestHead>;
export function createHeadReader(options: HeadReaderOptions<'response'>): HeadReader<ResponseHead>;
export function createHeadReader(
  options: HeadReaderOptions<HeadKind>,
): HeadReader<RequestHead | ResponseHead>;
export function createHeadReader(
  options: HeadReaderOptions<HeadKind>,
): HeadReader<RequestHead | ResponseHead> {
  return new IncrementalHeadReader(options.kind, options.maxBytes ?? HTTP_HEAD_MAX_BYTES);
}

type State = HeadReadEnd<RequestHead | ResponseHead>;

/** A class, not closures: one is made for every head a proxy reads, twice per request. */
class IncrementalHeadReader implements HeadReader<RequestHead | ResponseHead> {
  readonly #kind: HeadKind;
  readonly #maxBytes: number;
  // Allocated only when a head spans chunks; the usual head arrives whole in its first chunk.
  #buffer: Buffer | undefined;
  #filled = 0;
  #finished: State | undefined;

  constructor(kind: HeadKind, maxBytes: number) {
    this.#kind = kind;
    this.#maxBytes = maxBytes;
  }

  push(chunk: Uint8Array): HeadReadState<RequestHead | ResponseHead> {
    if (this.#finished) return this.#closed(chunk.byteLength);
    const kind = this.#kind;
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // UPG-6: only the first maxBytes bytes can hold a head that is small enough.
    const take = Math.min(input.length, this.#maxBytes - this.#filled);
    if (this.#filled === 0) {
      const scan = scanHead(input.subarray(0, take), 0);
      if (scan.kind === 'bare-lf')
        return this.#finish({ state: 'error', error: new HttpHeadBareLfError(kind, scan.at) });
      if (scan.kind === 'end') return this.#complete(input.subarray(0, scan.end), input.subarray(scan.end));
    }
    const buffer = (this.#buffer ??= Buffer.allocUnsafe(this.#maxBytes));
    input.copy(buffer, this.#filled, 0, take);
    const from = this.#filled;
    this.#filled += take;
    const scan = from === 0 ? ({ kind: 'none' } as const) : scanHead(buffer.subarray(0, this.#filled), from);
    if (scan.kind === 'bare-lf')
      return this.#finish({ state: 'error', error: new HttpHeadBareLfError(kind, scan.at) });
    if (scan.kind === 'end')
      return this.#complete(
        buffer.subarray(0, scan.end),
        Buffer.concat([buffer.subarray(scan.end, this.#filled), input.subarray(take)]),
      );
    if (take < input.length)
      return this.#finish({ state: 'error', error: new HttpHeadTooLargeError(kind, this.#maxBytes) });
    return { state: 'partial' };
  }

  end(): State {
    if (this.#finished) return this.#closed(0);
    return this.#finish({ state: 'error', error: new HttpHeadIncompleteError(this.#kind, this.#filled) });
  }

  #finish(state: State): State {
    this.#finished = state;
    return state;
  }

  #closed(bytes: number): State {
    return this.#finished?.state === 'error'
      ? this.#finished
      : { state: 'error', error: new HttpHeadReaderClosedError(bytes) };
  }

  #complete(head: Buffer, rest: Buffer): State {
    const parsed = parseHeadLines(this.#kind, head);
    if (!parsed.ok) return this.#finish({ state: 'error', error: parsed.error });
    // C.4: bytes past the head are handed back, never dropped.
    return this.#finish({ state: 'done', head: parsed.head, rest });
  }
}
