import { getHeaderValues, type HeaderList } from '../header-list.js';
import { declaredContentLength, transferCoding, type BodyFraming } from './body-framing.js';
import { ConflictingFramingError, UnsupportedTransferCodingError } from './http-body-errors.js';

/**
 * RFC 9112 6.3 for a request: chunked, else Content-Length, else no body. Throws an HttpBodyError
 * for a body whose length cannot be known (BAD-4, BAD-5): the connection must then close.
 */
export function requestFraming(headers: HeaderList): BodyFraming {
  const coding = transferCoding(headers);
  // RFC 9112 6.3 item 4: a request coding other than a final chunked leaves the length unknowable.
  if (coding.kind === 'other') throw new UnsupportedTransferCodingError(coding.codings);
  // BAD-4, RFC 9112 6.1: Content-Length beside Transfer-Encoding is a smuggling attempt; refused
  // (400 and close), so nothing after it on the connection is ever read as a request.
  if (coding.kind === 'chunked') {
    if (getHeaderValues(headers, 'content-length').length > 0) throw new ConflictingFramingError();
    return { kind: 'chunked' };
  }
  const length = declaredContentLength(headers);
  return length === undefined || length === 0 ? { kind: 'none' } : { kind: 'length', length };
}
