import type { HeaderList } from './header-list.js';

export interface RequestHead {
  readonly method: string;
  readonly target: string;
  /** `HTTP/<digit>.<digit>` */
  readonly version: string;
  readonly headers: HeaderList;
}

export interface ResponseHead {
  readonly version: string;
  /** UPG-5: three digits, 100..999. */
  readonly status: number;
  /** UPG-5: free text, may be empty ("HTTP/1.1 101 UPGRADED"). */
  readonly reason: string;
  readonly headers: HeaderList;
}

export type HeadKind = 'request' | 'response';

/** UPG-6: a head, terminating CRLFCRLF included, may be at most this many bytes. */
export const HTTP_HEAD_MAX_BYTES = 8192;

// RFC 9110 grammar, over latin1 strings (one char per wire byte).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/[0-9]\.[0-9]$/;
const TARGET = /^[\x21-\x7e]+$/;
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;
const FIELD_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;

export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

export function isHttpVersion(text: string): boolean {
  return VERSION.test(text);
}

export function isRequestTarget(text: string): boolean {
  return TARGET.test(text);
}

export function isReasonPhrase(text: string): boolean {
  return REASON.test(text);
}

/** A field value as it stands after trimming: no CTL but HTAB, no surrounding SP/HTAB. */
export function isFieldValue(text: string): boolean {
  return FIELD_VALUE.test(text);
}

export function isStatusCode(status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status <= 999;
}
