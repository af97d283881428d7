import { BerthError } from '../errors.js';

/**
 * A message body whose framing cannot be trusted (RFC 9112 section 6 and 7.1). Every subclass
 * has its own stable `code`; the proxy answers a client's with 400, a guest's with 502.
 */
export abstract class HttpBodyError extends BerthError {}

export function isHttpBodyError(value: unknown): value is HttpBodyError {
  return value instanceof HttpBodyError;
}

/** BAD-4, RFC 9112 6.1: a request with both Transfer-Encoding and Content-Length. */
export class ConflictingFramingError extends HttpBodyError {
  readonly code = 'ERR_HTTP_CONFLICTING_FRAMING';
  constructor() {
    super('a request must not carry both Transfer-Encoding and Content-Length');
  }
}

/** BAD-5, RFC 9112 6.3: a request Transfer-Encoding whose final coding is not chunked. */
export class UnsupportedTransferCodingError extends HttpBodyError {
  readonly code = 'ERR_HTTP_TRANSFER_CODING';
  constructor(readonly codings: readonly string[]) {
    super(`a request Transfer-Encoding must end with chunked, got ${JSON.stringify(codings.join(', '))}`);
  }
}

/** BAD-5, UPG-9, RFC 9112 6.3: Content-Length values that are not one decimal length. */
export class InvalidContentLengthError extends HttpBodyError {
  readonly code = 'ERR_HTTP_CONTENT_LENGTH';
  constructor(readonly values: readonly string[]) {
    super(`invalid Content-Length ${JSON.stringify(values.join(','))}`);
  }
}

/** BAD-6, RFC 9112 7.1: a chunk-size line that is not hex digits with optional extensions. */
export class InvalidChunkSizeError extends HttpBodyError {
  readonly code = 'ERR_HTTP_CHUNK_SIZE';
  constructor(readonly line: string) {
    super(`invalid chunk size line ${JSON.stringify(line.slice(0, 64))}`);
  }
}

/** RFC 9112 7.1.1: a chunk-size or trailer line longer than the decoder accepts. */
export class ChunkLineTooLongError extends HttpBodyError {
  readonly code = 'ERR_HTTP_CHUNK_LINE_TOO_LONG';
  constructor(readonly maxBytes: number) {
    super(`a chunked body line is longer than ${maxBytes} bytes (CRLF included)`);
  }
}

/** RFC 9112 7.1: a line of the chunked coding that ends with a LF not preceded by CR. */
export class ChunkBareLfError extends HttpBodyError {
  readonly code = 'ERR_HTTP_CHUNK_BARE_LF';
  constructor() {
    super('a chunked body line ends with a bare LF; lines must end with CRLF');
  }
}

/** RFC 9112 7.1: chunk data not followed by CRLF (the data is longer than its size says). */
export class ChunkDataCrlfError extends HttpBodyError {
  readonly code = 'ERR_HTTP_CHUNK_DATA_CRLF';
  constructor() {
    super('chunk data is not followed by CRLF');
  }
}

/** RFC 9112 7.1.2: a trailer section larger than the decoder accepts. */
export class TrailerTooLargeError extends HttpBodyError {
  readonly code = 'ERR_HTTP_TRAILER_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`the trailer section of a chunked body is larger than ${maxBytes} bytes`);
  }
}
