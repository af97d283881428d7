import type { Buffer } from 'node:buffer';
import { createHeadReader, type HeadReader } from './head-reader.js';
import type { HttpHeadParseError } from './http-head-errors.js';
import type { RequestHead, ResponseHead } from './http-head.js';

export type HeadParseResult<H> =
  | { readonly ok: true; readonly head: H; readonly rest: Buffer }
  | { readonly ok: false; readonly error: HttpHeadParseError };

export interface HeadParseOptions {
  /** UPG-6: the largest head accepted, terminating CRLFCRLF included; default 8192. */
  readonly maxBytes?: number;
}

/** Parses the request head at the start of `bytes`; `rest` is what follows its CRLFCRLF. */
export function parseRequestHead(
  bytes: Uint8Array,
  options: HeadParseOptions = {},
): HeadParseResult<RequestHead> {
  return settle(createHeadReader({ kind: 'request', ...options }), bytes);
}

/** Parses the response head at the start of `bytes`; `rest` is what follows its CRLFCRLF. */
export function parseResponseHead(
  bytes: Uint8Array,
  options: HeadParseOptions = {},
): HeadParseResult<ResponseHead> {
  return settle(createHeadReader({ kind: 'response', ...options }), bytes);
}

function settle<H>(reader: HeadReader<H>, bytes: Uint8Array): HeadParseResult<H> {
  const first = reader.push(bytes);
  const state = first.state === 'partial' ? reader.end() : first;
  return state.state === 'done'
    ? { ok: true, head: state.head, rest: state.rest }
    : { ok: false, error: state.error };
}
