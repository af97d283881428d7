import { Buffer } from 'node:buffer';
import { BerthError } from '../../protocol/errors.js';

/** The bytes are not a valid chunked body (RFC 9112 §7.1). */
export class ChunkedBodyError extends BerthError {
  readonly code = 'ERR_SIM_CHUNKED_BODY';
}

/** What one push decoded. */
export interface ChunkedProgress {
  /** Payload bytes decoded from this push (empty when it only held framing). */
  readonly data: Buffer;
  /** The last chunk and the trailer section have been read: the body is over. */
  readonly done: boolean;
  /** Once `done`: the bytes after the body (the next message on the connection); else empty. */
  readonly rest: Buffer;
}

/**
 * Incremental decoder of one HTTP/1.1 chunked body, bytes in and payload out, however the bytes
 * are split. Throws ChunkedBodyError on malformed framing (and again on every later push).
 */
export interface ChunkedDecoder {
  push(bytes: Buffer): ChunkedProgress;
  /** Non-empty chunks read so far. */
  readonly chunks: number;
  /** True once the body is over. */
  readonly done: boolean;
}

/** The longest chunk-size or trailer line accepted, CRLF excluded (Go's bufio line limit). */
export const MAX_CHUNK_LINE_BYTES = 4096;

/**
 * A chunk-size line: hex digits (at most 15, so the size stays an exact number), optional
 * whitespace, an optional extension that is ignored.
 */
const SIZE_LINE = /^([0-9a-fA-F]{1,15})[ \t]*(?:;.*)?$/;
const CRLF = Buffer.from('\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);

/** size: reading a chunk-size line; data: inside a chunk; data-crlf: the CRLF after its data. */
type Phase = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done';

function join(parts: readonly Buffer[]): Buffer {
  if (parts.length === 0) return EMPTY;
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Go net/http's chunked reader, as the simulators need it on both sides (the simulated dockerd
 * reading request bodies, the fidelity harness reading answers): a size line, that many bytes,
 * exactly CRLF, again until a size of 0, then trailer lines (dropped) up to an empty line.
 */
export function createChunkedDecoder(): ChunkedDecoder {
  let phase: Phase = 'size';
  /** Bytes of an unfinished line (or of the CRLF after a chunk's data) held for the next push. */
  let carry: Buffer = EMPTY;
  /** Payload bytes still due in the current chunk. */
  let remaining = 0;
  let chunks = 0;
  let failure: ChunkedBodyError | undefined;

  const fail = (reason: string): never => {
    failure = new ChunkedBodyError(reason);
    throw failure;
  };

  return {
    get chunks() {
      return chunks;
    },
    get done() {
      return phase === 'done';
    },
    push(input) {
      if (failure) throw failure;
      if (phase === 'done') return { data: EMPTY, done: true, rest: input };
      const bytes = carry.length === 0 ? input : Buffer.concat([carry, input]);
      carry = EMPTY;
      const data: Buffer[] = [];
      let at = 0;
      while (phase !== 'done') {
        if (phase === 'data') {
          if (at === bytes.length) break;
          const take = Math.min(remaining, bytes.length - at);
          data.push(bytes.subarray(at, at + take));
          at += take;
          remaining -= take;
          if (remaining === 0) phase = 'data-crlf';
          continue;
        }
        if (phase === 'data-crlf') {
          if (bytes.length - at < 2) break;
          if (bytes[at] !== 0x0d || bytes[at + 1] !== 0x0a) fail('chunk data not followed by CRLF');
          at += 2;
          phase = 'size';
          continue;
        }
        // A size or trailer line. A line still open may end in the CR of its CRLF: one byte more.
        const end = bytes.indexOf(CRLF, at);
        const lineBytes = end < 0 ? bytes.length - at : end - at;
        if (lineBytes > (end < 0 ? MAX_CHUNK_LINE_BYTES + 1 : MAX_CHUNK_LINE_BYTES)) {
          fail(`chunk line longer than ${MAX_CHUNK_LINE_BYTES} bytes`);
        }
        if (end < 0) break;
        const line = bytes.toString('latin1', at, end);
        at = end + 2;
        if (phase === 'trailer') {
          // An empty line ends the trailer section and the body.
          if (line === '') phase = 'done';
          continue;
        }
        const size = SIZE_LINE.exec(line)?.[1];
        if (size === undefined) return fail(`bad chunk size line ${JSON.stringify(line)}`);
        remaining = Number.parseInt(size, 16);
        if (remaining === 0) phase = 'trailer';
        else {
          chunks += 1;
          phase = 'data';
        }
      }
      const left = bytes.subarray(at);
      if (phase === 'done') return { data: join(data), done: true, rest: left };
      carry = left;
      return { data: join(data), done: false, rest: EMPTY };
    },
  };
}
