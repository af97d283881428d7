import { Buffer } from 'node:buffer';
import { MalformedResponseError } from './errors.js';

export interface ChunkedState {
  /** Payload bytes decoded by this push. */
  readonly data: Buffer;
  /** The last chunk and the trailer section have been read. */
  readonly done: boolean;
  /** Bytes after the end of the chunked body (the next response on a keep-alive connection). */
  readonly rest: Buffer;
}

/** Incremental decoder of an HTTP/1.1 chunked body (RFC 9112 §7.1); it also counts chunks. */
export interface ChunkedDecoder {
  push(chunk: Buffer): ChunkedState;
  /** Number of non-empty chunks seen so far. */
  readonly chunks: number;
}

const MAX_LINE = 4096;

export function createChunkedDecoder(): ChunkedDecoder {
  let pending: Buffer = Buffer.alloc(0);
  /** Payload bytes still expected in the current chunk, -1 while reading a size line. */
  let remaining = -1;
  /** After a chunk's payload: its CRLF is still due. */
  let needCrlf = false;
  let inTrailers = false;
  let done = false;
  let chunks = 0;

  function readLine(): string | undefined {
    const at = pending.indexOf('\r\n');
    if (at < 0) {
      if (pending.length > MAX_LINE) throw new MalformedResponseError('chunk size line too long');
      return undefined;
    }
    const line = pending.subarray(0, at).toString('latin1');
    pending = pending.subarray(at + 2);
    return line;
  }

  return {
    get chunks() {
      return chunks;
    },
    push(chunk) {
      if (done) return { data: Buffer.alloc(0), done, rest: chunk };
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const data: Buffer[] = [];
      for (;;) {
        if (needCrlf) {
          if (pending.length < 2) break;
          if (pending[0] !== 0x0d || pending[1] !== 0x0a)
            throw new MalformedResponseError('chunk data not followed by CRLF');
          pending = pending.subarray(2);
          needCrlf = false;
        }
        if (inTrailers) {
          const line = readLine();
          if (line === undefined) break;
          // An empty line ends the trailer section and the body.
          if (line === '') {
            done = true;
            break;
          }
          continue;
        }
        if (remaining < 0) {
          const line = readLine();
          if (line === undefined) break;
          const size = /^([0-9a-fA-F]+)[ \t]*(?:;.*)?$/.exec(line)?.[1];
          if (size === undefined)
            throw new MalformedResponseError(`bad chunk size line ${JSON.stringify(line)}`);
          remaining = Number.parseInt(size, 16);
          if (remaining === 0) {
            remaining = -1;
            inTrailers = true;
          } else chunks += 1;
          continue;
        }
        if (pending.length === 0) break;
        const take = Math.min(remaining, pending.length);
        data.push(Buffer.from(pending.subarray(0, take)));
        pending = pending.subarray(take);
        remaining -= take;
        if (remaining === 0) {
          remaining = -1;
          needCrlf = true;
        }
      }
      const rest = done ? pending : Buffer.alloc(0);
      if (done) pending = Buffer.alloc(0);
      return { data: Buffer.concat(data), done, rest };
    },
  };
}
