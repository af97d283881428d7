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
  type State = HeadReadEnd<RequestHead | ResponseHead>;
  const { kind } = options;
  const maxBytes = options.maxBytes ?? HTTP_HEAD_MAX_BYTES;
  // Allocated only when a head spans chunks; the usual head arrives whole in its first chunk.
  let buffer: Buffer | undefined;
  let filled = 0;
  let finished: State | undefined;

  const finish = (state: State): State => (finished = state);
  const closed = (bytes: number): State =>
    finished?.state === 'error' ? finished : { state: 'error', error: new HttpHeadReaderClosedError(bytes) };
  const complete = (head: Buffer, rest: Buffer): State => {
    const parsed = parseHeadLines(kind, head);
    if (!parsed.ok) return finish({ state: 'error', error: parsed.error });
    // C.4: bytes past the head are handed back, never dropped.
    return finish({ state: 'done', head: parsed.head, rest });
  };

  return {
    push(chunk) {
      if (finished) return closed(chunk.byteLength);
      const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      // UPG-6: only the first maxBytes bytes can hold a head that is small enough.
      const take = Math.min(input.length, maxBytes - filled);
      if (filled === 0) {
        const scan = scanHead(input.subarray(0, take), 0);
        if (scan.kind === 'bare-lf')
          return finish({ state: 'error', error: new HttpHeadBareLfError(kind, scan.at) });
        if (scan.kind === 'end') return complete(input.subarray(0, scan.end), input.subarray(scan.end));
      }
      buffer ??= Buffer.allocUnsafe(maxBytes);
      input.copy(buffer, filled, 0, take);
      const from = filled;
      filled += take;
      const scan = from === 0 ? ({ kind: 'none' } as const) : scanHead(buffer.subarray(0, filled), from);
      if (scan.kind === 'bare-lf')
        return finish({ state: 'error', error: new HttpHeadBareLfError(kind, scan.at) });
      if (scan.kind === 'end')
        return complete(
          buffer.subarray(0, scan.end),
          Buffer.concat([buffer.subarray(scan.end, filled), input.subarray(take)]),
        );
      if (take < input.length)
        return finish({ state: 'error', error: new HttpHeadTooLargeError(kind, maxBytes) });
      return { state: 'partial' };
    },
    end() {
      if (finished) return closed(0);
      return finish({ state: 'error', error: new HttpHeadIncompleteError(kind, filled) });
    },
  };
}
