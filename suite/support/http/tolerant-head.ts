import { Buffer } from 'node:buffer';
import { getHeader, getHeaderValues, type HeaderList } from '../../../protocol/header-list.js';
import {
  isFieldValue,
  isHttpVersion,
  isReasonPhrase,
  isRequestTarget,
  isToken,
} from '../../../protocol/http-head.js';

/**
 * The suite's one HTTP/1.1 head parser. It is deliberately tolerant: the suite reads what other
 * people's servers, proxies and guests send, broken or not, so it never throws on odd bytes. It
 * reports what it saw (start line, every header line in order with duplicates and the names as
 * sent) and lists each departure from RFC 9112 in `defects`, for the caller to judge.
 */
/** Case-insensitive header lookups over a header list in wire order. */
export interface HeaderLookup {
  /** The first value of a header (case-insensitive). */
  readonly header: (name: string) => string | undefined;
  /** Every value of a header (case-insensitive), in wire order. */
  readonly values: (name: string) => string[];
}

interface HeadBase extends HeaderLookup {
  /** Every byte of the head, its terminating blank line included. */
  readonly raw: Buffer;
  /** `raw` as latin1 text (one character per byte). */
  readonly text: string;
  readonly startLine: string;
  /** The header fields that parsed as `name: value`, in wire order; values trimmed of SP/HTAB. */
  readonly headers: HeaderList;
  /** What departs from RFC 9112: bare LF line ends, malformed lines, a bad start line, ... */
  readonly defects: readonly string[];
  /** True when a line of the head ends in a LF without CR. */
  readonly bareLf: boolean;
}

export interface TolerantResponseHead extends HeadBase {
  readonly kind: 'response';
  readonly version: string;
  /** The three-digit status; undefined when the status line holds none. */
  readonly status: number | undefined;
  readonly reason: string;
}

export interface TolerantRequestHead extends HeadBase {
  readonly kind: 'request';
  readonly method: string;
  readonly target: string;
  readonly version: string;
}

export type TolerantHead = TolerantRequestHead | TolerantResponseHead;
export type HeadKind = TolerantHead['kind'];

const LF = 0x0a;
const CR = 0x0d;

/**
 * Where the head at the start of `bytes` ends: the index just past its blank line (CRLFCRLF, or
 * with bare LFs), or undefined while no blank line has arrived. `from` skips bytes already
 * searched (pass the previous length minus 3 when bytes grow).
 */
export function findHeadEnd(bytes: Uint8Array, from = 0): number | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = buffer.indexOf(LF, Math.max(from, 0)); i !== -1; i = buffer.indexOf(LF, i + 1)) {
    // A line that is empty: LF right after the previous LF, or CR LF right after it.
    if (i >= 1 && buffer[i - 1] === LF) return i + 1;
    if (i >= 2 && buffer[i - 1] === CR && buffer[i - 2] === LF) return i + 1;
  }
  return undefined;
}

function parseStartLine(kind: HeadKind, line: string, defects: string[]) {
  if (kind === 'response') {
    // version SP status [SP reason]; the reason may be empty ("HTTP/1.1 101 UPGRADED" or none).
    const firstSpace = line.indexOf(' ');
    const version = firstSpace < 0 ? line : line.slice(0, firstSpace);
    const afterVersion = firstSpace < 0 ? '' : line.slice(firstSpace + 1);
    const secondSpace = afterVersion.indexOf(' ');
    const statusText = secondSpace < 0 ? afterVersion : afterVersion.slice(0, secondSpace);
    const reason = secondSpace < 0 ? '' : afterVersion.slice(secondSpace + 1);
    if (!isHttpVersion(version))
      defects.push(`the status line's version is not HTTP/x.y: ${JSON.stringify(line)}`);
    const status = /^[0-9]{3}$/.test(statusText) ? Number(statusText) : undefined;
    if (status === undefined)
      defects.push(`the status line has no three-digit status: ${JSON.stringify(line)}`);
    else if (status < 100) defects.push(`status ${statusText} is below 100`);
    if (!isReasonPhrase(reason))
      defects.push(`the reason phrase holds control characters: ${JSON.stringify(line)}`);
    return { kind, version, status, reason } as const;
  }
  const parts = line.split(' ');
  const [method = '', target = '', version = ''] = parts;
  if (parts.length !== 3 || !isToken(method) || !isRequestTarget(target) || !isHttpVersion(version)) {
    defects.push(`the request line is not "METHOD target HTTP/x.y": ${JSON.stringify(line)}`);
  }
  return { kind, method, target, version } as const;
}

/** Parses one header line into `headers`, or records why it is not one. */
function parseFieldLine(line: string, headers: [string, string][], defects: string[]): void {
  const first = line.charCodeAt(0);
  if (first === 0x20 || first === 0x09) {
    // obs-fold: kept as a continuation of the previous value (RFC 9112 5.2), and reported.
    defects.push(`an obs-fold continuation line: ${JSON.stringify(line)}`);
    const previous = headers.at(-1);
    if (previous !== undefined) previous[1] = `${previous[1]} ${line.trim()}`.trim();
    return;
  }
  const colon = line.indexOf(':');
  if (colon <= 0) {
    defects.push(`a header line without a name and a colon: ${JSON.stringify(line)}`);
    return;
  }
  const name = line.slice(0, colon);
  const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  if (!isToken(name)) defects.push(`a header name that is not a token: ${JSON.stringify(name)}`);
  if (!isFieldValue(value))
    defects.push(`the value of ${name} holds control characters: ${JSON.stringify(value)}`);
  headers.push([name, value]);
}

/** Parses a complete head (`raw` ends with its blank line); never throws. */
export function parseTolerantHead(kind: 'response', raw: Buffer): TolerantResponseHead;
export function parseTolerantHead(kind: 'request', raw: Buffer): TolerantRequestHead;
export function parseTolerantHead(kind: HeadKind, raw: Buffer): TolerantHead;
export function parseTolerantHead(kind: HeadKind, raw: Buffer): TolerantHead {
  const text = raw.toString('latin1');
  const defects: string[] = [];
  const bareLf = /(^|[^\r])\n/.exec(text);
  if (bareLf !== null)
    defects.push(`a line ends in a bare LF (byte ${bareLf.index + (bareLf[1] ?? '').length})`);
  const lines = text.replace(/\r?\n\r?\n$/, '').split(/\r?\n/);
  const startLine = lines[0] ?? '';
  const start = parseStartLine(kind, startLine, defects);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) parseFieldLine(line, headers, defects);
  return {
    ...start,
    raw,
    text,
    startLine,
    headers,
    defects,
    bareLf: bareLf !== null,
    header: (name) => getHeader(headers, name),
    values: (name) => getHeaderValues(headers, name),
  };
}

/** The head at the start of `bytes`, with what follows it; undefined while it is incomplete. */
export function readTolerantHead(
  kind: 'response',
  bytes: Buffer,
): { head: TolerantResponseHead; rest: Buffer } | undefined;
export function readTolerantHead(
  kind: 'request',
  bytes: Buffer,
): { head: TolerantRequestHead; rest: Buffer } | undefined;
export function readTolerantHead(
  kind: HeadKind,
  bytes: Buffer,
): { head: TolerantHead; rest: Buffer } | undefined {
  const end = findHeadEnd(bytes);
  if (end === undefined) return undefined;
  return { head: parseTolerantHead(kind, bytes.subarray(0, end)), rest: bytes.subarray(end) };
}
