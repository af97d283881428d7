import { BerthError } from './errors.js';
import type { HeadKind } from './http-head.js';

/** UPG-6: no CRLFCRLF within the first `maxBytes` bytes. */
export class HttpHeadTooLargeError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_TOO_LARGE';
  constructor(
    readonly kind: HeadKind,
    readonly maxBytes: number,
  ) {
    super(`${kind} head is larger than ${maxBytes} bytes (terminating CRLFCRLF included)`);
  }
}

/** The input ended before the CRLFCRLF (C.4: "guest closed connection before upgrade response"). */
export class HttpHeadIncompleteError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_INCOMPLETE';
  constructor(
    readonly kind: HeadKind,
    readonly received: number,
  ) {
    super(`${kind} head ended after ${received} bytes without the terminating CRLFCRLF`);
  }
}

/** A LF not preceded by CR. Refused rather than tolerated, so the head's end is never ambiguous. */
export class HttpHeadBareLfError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_BARE_LF';
  constructor(
    readonly kind: HeadKind,
    readonly offset: number,
  ) {
    super(`${kind} head has a bare LF at byte ${offset}; lines must end with CRLF`);
  }
}

export class HttpHeadBadStartLineError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_BAD_START_LINE';
  constructor(
    readonly kind: HeadKind,
    readonly line: string,
  ) {
    super(`${kind} head starts with a malformed line ${JSON.stringify(line)}`);
  }
}

/** UPG-5: the status is not three digits between 100 and 999. */
export class HttpHeadBadStatusError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_BAD_STATUS';
  constructor(readonly status: string) {
    super(`response status ${JSON.stringify(status)} is not a three-digit code between 100 and 999`);
  }
}

/** A header line starting with SP or HTAB (obsolete line folding). */
export class HttpHeadObsFoldError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_OBS_FOLD';
  constructor(readonly line: string) {
    super(`header line ${JSON.stringify(line)} continues the previous one (obs-fold is refused)`);
  }
}

/** No colon, an empty or non-token name (whitespace before the colon too), or a CTL in the value. */
export class HttpHeadBadHeaderError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_BAD_HEADER';
  constructor(
    readonly line: string,
    readonly reason: string,
  ) {
    super(`header line ${JSON.stringify(line)} is malformed: ${reason}`);
  }
}

export class HttpHeadReaderClosedError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_READER_CLOSED';
  constructor(readonly bytes: number) {
    super(`${bytes} bytes pushed to a head reader that already finished`);
  }
}

/** Builder: CR, LF or NUL in a field, which would let a value write its own lines. */
export class HttpHeadInjectionError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_INJECTION';
  constructor(
    readonly field: string,
    readonly value: string,
  ) {
    super(`${field} ${JSON.stringify(value)} contains CR, LF or NUL`);
  }
}

/** Builder: a field outside its grammar (non-token name or method, bad version or status, ...). */
export class HttpHeadInvalidFieldError extends BerthError {
  readonly code = 'ERR_HTTP_HEAD_INVALID_FIELD';
  constructor(
    readonly field: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`${field} ${JSON.stringify(value)} is invalid: expected ${expected}`);
  }
}

/** Every error a head parser or reader can report. */
export type HttpHeadParseError =
  | HttpHeadTooLargeError
  | HttpHeadIncompleteError
  | HttpHeadBareLfError
  | HttpHeadBadStartLineError
  | HttpHeadBadStatusError
  | HttpHeadObsFoldError
  | HttpHeadBadHeaderError
  | HttpHeadReaderClosedError;

export const HTTP_HEAD_PARSE_ERROR_CODES: readonly HttpHeadParseError['code'][] = [
  'ERR_HTTP_HEAD_TOO_LARGE',
  'ERR_HTTP_HEAD_INCOMPLETE',
  'ERR_HTTP_HEAD_BARE_LF',
  'ERR_HTTP_HEAD_BAD_START_LINE',
  'ERR_HTTP_HEAD_BAD_STATUS',
  'ERR_HTTP_HEAD_OBS_FOLD',
  'ERR_HTTP_HEAD_BAD_HEADER',
  'ERR_HTTP_HEAD_READER_CLOSED',
];

export type HttpHeadBuildError = HttpHeadInjectionError | HttpHeadInvalidFieldError;
