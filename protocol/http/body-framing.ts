import { getHeaderValues, type HeaderList } from '../header-list.js';
import { InvalidContentLengthError } from './http-body-errors.js';

/** How a message body is delimited on the wire (RFC 9112 section 6). */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  /** Response only: the body runs until the sender closes. */
  | { readonly kind: 'close' };

/** A Content-Length value: decimal digits, at most 15 so it stays an exact JavaScript number. */
const LENGTH = /^\d{1,15}$/;

/**
 * The transfer codings of a message, lower-cased, in order: `none` without any (an
 * identity-only list counts as none, as it always has here), `chunked` when chunked is the final
 * coding (RFC 9112 6.3 item 4), else `other` with the codings.
 */
export function transferCoding(
  headers: HeaderList,
): { readonly kind: 'none' | 'chunked' } | { readonly kind: 'other'; readonly codings: string[] } {
  const codings = getHeaderValues(headers, 'transfer-encoding')
    .flatMap((value) => value.split(','))
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
  if (codings.length === 0 || codings.every((coding) => coding === 'identity')) return { kind: 'none' };
  return codings.at(-1) === 'chunked' ? { kind: 'chunked' } : { kind: 'other', codings };
}

/**
 * RFC 9112 6.3 item 5: the one length all Content-Length values agree on, undefined without the
 * field; values that differ or are not decimal digits throw InvalidContentLengthError.
 */
export function declaredContentLength(headers: HeaderList): number | undefined {
  const fields = getHeaderValues(headers, 'content-length');
  if (fields.length === 0) return undefined;
  // The usual case: one field, one plain number.
  if (fields.length === 1 && LENGTH.test(fields[0]!)) return Number(fields[0]);
  const values = fields.flatMap((value) => value.split(',')).map((value) => value.trim());
  const distinct = new Set(values);
  const [only] = distinct;
  if (distinct.size !== 1 || only === undefined || !LENGTH.test(only)) {
    throw new InvalidContentLengthError(values);
  }
  return Number(only);
}
