import { Buffer } from 'node:buffer';
import type { HeaderList } from './header-list.js';
import { HttpHeadInjectionError, HttpHeadInvalidFieldError } from './http-head-errors.js';
import {
  isFieldValue,
  isHttpVersion,
  isReasonPhrase,
  isRequestTarget,
  isStatusCode,
  isToken,
  type RequestHead,
  type ResponseHead,
} from './http-head.js';

/** `METHOD target version`, the headers in order, and the blank line; throws on unsafe fields. */
export function buildRequestHead(head: RequestHead): Buffer {
  check('method', head.method, isToken, 'a token');
  check('request target', head.target, isRequestTarget, 'visible ASCII without spaces');
  check('version', head.version, isHttpVersion, 'HTTP/<digit>.<digit>');
  return encode(`${head.method} ${head.target} ${head.version}\r\n`, head.headers);
}

/** `version status reason`, the headers in order, and the blank line; throws on unsafe fields. */
export function buildResponseHead(head: ResponseHead): Buffer {
  check('version', head.version, isHttpVersion, 'HTTP/<digit>.<digit>');
  if (!isStatusCode(head.status)) {
    throw new HttpHeadInvalidFieldError('status', String(head.status), 'an integer from 100 to 999');
  }
  check('reason phrase', head.reason, isReasonPhrase, 'HTAB, SP, visible ASCII or obs-text');
  return encode(`${head.version} ${head.status} ${head.reason}\r\n`, head.headers);
}

function encode(startLine: string, headers: HeaderList): Buffer {
  let text = startLine;
  for (const [name, value] of headers) {
    // The usual case passes both tests; only a failure needs check() to tell injection from the rest.
    if (!isToken(name)) check('header name', name, isToken, 'a token');
    if (!isFieldValue(value))
      check(`value of header ${name}`, value, isFieldValue, 'no CTL but HTAB, no surrounding whitespace');
    text += `${name}: ${value}\r\n`;
  }
  // latin1: each char is one byte; the checks above keep every char below U+0100.
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** Throws when `value` is not `valid`: an injection error if it holds CR, LF or NUL. */
function check(field: string, value: string, valid: (text: string) => boolean, expected: string): void {
  if (valid(value)) return;
  if (/[\r\n\0]/.test(value)) throw new HttpHeadInjectionError(field, value);
  throw new HttpHeadInvalidFieldError(field, value, expected);
}
