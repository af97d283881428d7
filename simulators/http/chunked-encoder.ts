import { Buffer } from 'node:buffer';

/** The last chunk with an empty trailer section: it ends a chunked body. */
export const LAST_CHUNK: Buffer = Buffer.from('0\r\n\r\n', 'latin1');

const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * One chunk of a chunked body (RFC 9112 §7.1): the size in hex, CRLF, the data, CRLF. Like Go's
 * chunkedWriter, no data is no chunk (an empty one would end the body): it encodes to nothing.
 */
export function encodeChunk(data: Uint8Array): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, CRLF]);
}
