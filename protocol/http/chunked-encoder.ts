import { Buffer } from 'node:buffer';

const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * RFC 9112 7.1: one chunk of a chunked body. An empty payload encodes to nothing: a zero-size
 * chunk would be the last chunk and end the body.
 */
export function encodeChunk(payload: Uint8Array): Buffer {
  if (payload.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`, 'latin1'), payload, CRLF]);
}

/** RFC 9112 7.1: the last chunk, with no trailer section. */
export const LAST_CHUNK: Buffer = Buffer.from('0\r\n\r\n', 'latin1');
