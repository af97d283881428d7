import { Buffer } from 'node:buffer';
import { getHeaderValues, type HeaderList } from '../../protocol/header-list.js';
import { BerthError } from '../../protocol/errors.js';

/** How a message body is delimited on the wire. */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' }
  /** Response only: the body runs until the sender closes. */
  | { readonly kind: 'close' };

export class BodyFramingError extends BerthError {
  readonly code = 'ERR_PROXY_BODY_FRAMING';
}

function isChunked(headers: HeaderList): boolean | 'invalid' {
  const codings = getHeaderValues(headers, 'transfer-encoding')
    .flatMap((value) => value.split(','))
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
  if (codings.length === 0) return false;
  // RFC 9112 6.3: chunked must be the final coding; identity-only is tolerated as none.
  if (codings.every((coding) => coding === 'identity')) return false;
  return codings.at(-1) === 'chunked' ? true : 'invalid';
}

function contentLength(headers: HeaderList): number | undefined {
  const fields = getHeaderValues(headers, 'content-length');
  if (fields.length === 0) return undefined;
  // The usual case: one field, one plain number.
  if (fields.length === 1 && /^\d{1,15}$/.test(fields[0]!)) return Number(fields[0]);
  const values = fields.flatMap((value) => value.split(','));
  if (values.length === 0) return undefined;
  const distinct = new Set(values.map((value) => value.trim()));
  const [only] = distinct;
  if (distinct.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new BodyFramingError(`invalid Content-Length ${JSON.stringify(values.join(','))}`);
  }
  return Number(only);
}

/** RFC 9112 6.3 for a request: chunked, else Content-Length, else no body. */
export function requestFraming(headers: HeaderList): BodyFraming {
  const chunked = isChunked(headers);
  if (chunked === 'invalid') throw new BodyFramingError('a request Transfer-Encoding must end with chunked');
  // BAD-4, RFC 9112 6.1: Content-Length beside Transfer-Encoding is a smuggling attempt; refused
  // (400 and close), so nothing after it on the connection is ever read as a request.
  if (chunked && getHeaderValues(headers, 'content-length').length > 0) {
    throw new BodyFramingError('a request must not carry both Transfer-Encoding and Content-Length');
  }
  if (chunked) return { kind: 'chunked' };
  const length = contentLength(headers);
  return length === undefined || length === 0 ? { kind: 'none' } : { kind: 'length', length };
}

/** RFC 9112 6.3 for a response to `method` with `status`. */
export function responseFraming(method: string, status: number, headers: HeaderList): BodyFraming {
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) {
    return { kind: 'none' };
  }
  const chunked = isChunked(headers);
  if (chunked === true) return { kind: 'chunked' };
  if (chunked === 'invalid') return { kind: 'close' };
  const length = contentLength(headers);
  if (length === undefined) return { kind: 'close' };
  return length === 0 ? { kind: 'none' } : { kind: 'length', length };
}

/** Encodes one chunk of a chunked body (an empty chunk is never sent: it would end the body). */
export function encodeChunk(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`, 'latin1'), data, CRLF]);
}

export const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
const MAX_LINE = 4096;

/**
 * Incremental decoder of a chunked body: push() returns the payload bytes found so far and
 * whether the body is complete; `rest` is what followed the final CRLF (the next message).
 */
export class ChunkedDecoder {
  #state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';
  #remaining = 0;
  #line = '';

  get done(): boolean {
    return this.#state === 'done';
  }

  push(input: Buffer): { readonly data: Buffer[]; readonly rest: Buffer } {
    const data: Buffer[] = [];
    let at = 0;
    while (at < input.length && this.#state !== 'done') {
      if (this.#state === 'data') {
        const take = Math.min(this.#remaining, input.length - at);
        data.push(input.subarray(at, at + take));
        at += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-crlf';
        continue;
      }
      const newline = input.indexOf(0x0a, at);
      const end = newline === -1 ? input.length : newline + 1;
      this.#line += input.toString('latin1', at, end);
      at = end;
      if (this.#line.length > MAX_LINE) throw new BodyFramingError('chunked body line is too long');
      if (newline === -1) break;
      const line = this.#line.replace(/\r?\n$/, '');
      this.#line = '';
      this.#onLine(line);
    }
    return { data, rest: input.subarray(at) };
  }

  #onLine(line: string): void {
    if (this.#state === 'data-crlf') {
      if (line !== '') throw new BodyFramingError('chunk data is not followed by CRLF');
      this.#state = 'size';
    } else if (this.#state === 'size') {
      const size = line.split(';')[0]!.trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(size)) {
        throw new BodyFramingError(`invalid chunk size ${JSON.stringify(size)}`);
      }
      this.#remaining = Number.parseInt(size, 16);
      this.#state = this.#remaining === 0 ? 'trailer' : 'data';
    } else if (this.#state === 'trailer' && line === '') {
      this.#state = 'done';
    }
  }
}
