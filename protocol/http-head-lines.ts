import type { Buffer } from 'node:buffer';
import {
  HttpHeadBadHeaderError,
  HttpHeadBadStartLineError,
  HttpHeadBadStatusError,
  HttpHeadObsFoldError,
  type HttpHeadParseError,
} from './http-head-errors.js';
import {
  isHttpVersion,
  isReasonPhrase,
  isRequestTarget,
  isToken,
  type HeadKind,
  type RequestHead,
  type ResponseHead,
} from './http-head.js';

const CR = 0x0d;
const LF = 0x0a;

export type HeadScan =
  | { readonly kind: 'end'; readonly end: number }
  | { readonly kind: 'bare-lf'; readonly at: number }
  | { readonly kind: 'none' };

/**
 * Looks at bytes `from..` of `bytes` (earlier bytes were scanned already) for a LF without CR
 * before it, or for the CRLFCRLF that ends the head (`end` is the index just past it).
 */
export function scanHead(bytes: Buffer, from: number): HeadScan {
  for (let i = bytes.indexOf(LF, from); i !== -1; i = bytes.indexOf(LF, i + 1)) {
    if (i === 0 || bytes[i - 1] !== CR) return { kind: 'bare-lf', at: i };
    if (i >= 3 && bytes[i - 2] === LF && bytes[i - 3] === CR) return { kind: 'end', end: i + 1 };
  }
  return { kind: 'none' };
}

export type LinesResult<H> =
  { readonly ok: true; readonly head: H } | { readonly ok: false; readonly error: HttpHeadParseError };

/** Parses a complete head (`bytes` ends with its CRLFCRLF and holds no other CRLFCRLF or bare LF). */
export function parseHeadLines(kind: 'request', bytes: Buffer): LinesResult<RequestHead>;
export function parseHeadLines(kind: 'response', bytes: Buffer): LinesResult<ResponseHead>;
export function parseHeadLines(kind: HeadKind, bytes: Buffer): LinesResult<RequestHead | ResponseHead>;
export function parseHeadLines(kind: HeadKind, bytes: Buffer): LinesResult<RequestHead | ResponseHead> {
  const [start = '', ...fieldLines] = bytes.toString('latin1', 0, bytes.length - 4).split('\r\n');
  const startLine = kind === 'request' ? parseRequestLine(start) : parseStatusLine(start);
  if (startLine instanceof Error) return { ok: false, error: startLine };
  const headers: (readonly [string, string])[] = [];
  for (const line of fieldLines) {
    const parsed = parseFieldLine(line);
    if (parsed instanceof Error) return { ok: false, error: parsed };
    headers.push(parsed);
  }
  return { ok: true, head: { ...startLine, headers } };
}

function parseRequestLine(start: string): Omit<RequestHead, 'headers'> | HttpHeadParseError {
  const parts = start.split(' ');
  const [method = '', target = '', version = ''] = parts;
  if (parts.length !== 3 || !isToken(method) || !isRequestTarget(target) || !isHttpVersion(version)) {
    return new HttpHeadBadStartLineError('request', start);
  }
  return { method, target, version };
}

function parseStatusLine(start: string): Omit<ResponseHead, 'headers'> | HttpHeadParseError {
  // UPG-5: version SP status [SP reason]; the reason is free text and may be absent.
  const firstSpace = start.indexOf(' ');
  const version = firstSpace < 0 ? start : start.slice(0, firstSpace);
  if (firstSpace < 0 || !isHttpVersion(version)) return new HttpHeadBadStartLineError('response', start);
  const afterVersion = start.slice(firstSpace + 1);
  const secondSpace = afterVersion.indexOf(' ');
  const statusText = secondSpace < 0 ? afterVersion : afterVersion.slice(0, secondSpace);
  const reason = secondSpace < 0 ? '' : afterVersion.slice(secondSpace + 1);
  if (!/^[0-9]{3}$/.test(statusText) || statusText < '100') {
    return new HttpHeadBadStatusError(statusText);
  }
  if (!isReasonPhrase(reason)) return new HttpHeadBadStartLineError('response', start);
  return { version, status: Number(statusText), reason };
}

/** After trimming, a field value is valid unless it holds a CTL other than HTAB (isFieldValue). */
const FIELD_CONTROL = /[^\t\x20-\x7e\x80-\xff]/;
const isBlank = (code: number): boolean => code === 0x20 || code === 0x09;

function parseFieldLine(line: string): readonly [string, string] | HttpHeadParseError {
  if (isBlank(line.charCodeAt(0))) return new HttpHeadObsFoldError(line);
  const colon = line.indexOf(':');
  if (colon < 0) return new HttpHeadBadHeaderError(line, 'no colon');
  const name = line.slice(0, colon);
  if (name === '') return new HttpHeadBadHeaderError(line, 'empty name');
  // RFC 9112 5.1: no whitespace between name and colon ("Upgrade : tcp" is a smuggling vector).
  if (!isToken(name)) return new HttpHeadBadHeaderError(line, 'name is not a token');
  let start = colon + 1;
  let end = line.length;
  while (start < end && isBlank(line.charCodeAt(start))) start += 1;
  while (end > start && isBlank(line.charCodeAt(end - 1))) end -= 1;
  const value = line.slice(start, end);
  if (FIELD_CONTROL.test(value)) return new HttpHeadBadHeaderError(line, 'value holds a control character');
  return [name, value];
}
