import { Buffer } from 'node:buffer';

/** Longest chunk-size line (size, extensions, CRLF) or trailer section accepted. */
const MAX_LINE_BYTES = 8192;

export type ChunkedResult =
  | { readonly ok: true; readonly data: Buffer[]; readonly done: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Incremental RFC 9112 7.1 chunked decoder: bytes in, payload out. It never throws; trailers are
 * read and dropped; after the last chunk (`done`) further input is ignored.
 */
export interface ChunkedDecoder {
  push(chunk: Buffer): ChunkedResult;
}

type State = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done';

export function createChunkedDecoder(): ChunkedDecoder {
  let state: State = 'size';
  let line = '';
  let remaining = 0;
  let trailerBytes = 0;
  let failure: string | undefined;

  const fail = (reason: string): ChunkedResult => {
    failure = reason;
    return { ok: false, reason };
  };

  return {
    push(chunk) {
      if (failure !== undefined) return { ok: false, reason: failure };
      const data: Buffer[] = [];
      let at = 0;
      while (at < chunk.length && state !== 'done') {
        if (state === 'data') {
          const take = Math.min(remaining, chunk.length - at);
          data.push(chunk.subarray(at, at + take));
          at += take;
          remaining -= take;
          if (remaining === 0) state = 'data-crlf';
          continue;
        }
        // The line states: collect up to LF, then check the CRLF and the line itself.
        const lf = chunk.indexOf(0x0a, at);
        const end = lf < 0 ? chunk.length : lf + 1;
        line += chunk.toString('latin1', at, end);
        if (state === 'trailer') trailerBytes += end - at;
        at = end;
        if (line.length > MAX_LINE_BYTES || trailerBytes > MAX_LINE_BYTES)
          return fail('a chunk line is too long');
        if (lf < 0) continue;
        if (!line.endsWith('\r\n')) return fail('a chunk line ends with a bare LF');
        const text = line.slice(0, -2);
        line = '';
        if (state === 'data-crlf') {
          if (text !== '') return fail('chunk data is not followed by CRLF');
          state = 'size';
        } else if (state === 'size') {
          const size = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(text)?.[1];
          if (size === undefined) return fail(`bad chunk size line ${JSON.stringify(text)}`);
          remaining = Number.parseInt(size, 16);
          state = remaining === 0 ? 'trailer' : 'data';
        } else if (text === '') {
          state = 'done';
        }
      }
      return { ok: true, data, done: state === 'done' };
    },
  };
}

/** One chunk of the chunked encoding (a zero-length payload encodes nothing: it would end the body). */
export function encodeChunk(payload: Buffer): Buffer {
  if (payload.length === 0) return Buffer.alloc(0);
  return Buffer.concat([
    Buffer.from(`${payload.length.toString(16)}\r\n`, 'latin1'),
    payload,
    Buffer.from('\r\n'),
  ]);
}

/** The last chunk with no trailers. */
export const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
