import type { HeaderList } from '../header-list.js';
import { declaredContentLength, transferCoding, type BodyFraming } from './body-framing.js';

/**
 * RFC 9112 6.3 for a response to `method` with `status`, in the RFC's order:
 * 1. HEAD, 1xx, 204 and 304 answers have no body, whatever their fields say;
 * 2. a final chunked coding is chunked (it wins over Content-Length);
 * 3. any other coding runs until the sender closes;
 * 4. else Content-Length (throws InvalidContentLengthError when its values differ or are not
 *    digits); 0 is no body;
 * 5. else the body runs until the sender closes.
 */
export function responseFraming(method: string, status: number, headers: HeaderList): BodyFraming {
  // RFC 9110 9.1: method names are case-sensitive; only HEAD is HEAD.
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) {
    return { kind: 'none' };
  }
  const coding = transferCoding(headers);
  if (coding.kind === 'chunked') return { kind: 'chunked' };
  if (coding.kind === 'other') return { kind: 'close' };
  const length = declaredContentLength(headers);
  if (length === undefined) return { kind: 'close' };
  return length === 0 ? { kind: 'none' } : { kind: 'length', length };
}
