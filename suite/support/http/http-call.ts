import { Buffer } from 'node:buffer';
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderList } from '../../../protocol/header-list.js';
import { BerthError } from '../../../protocol/errors.js';
import { sendRequest, type RequestSpec } from './send-request.js';

/** Where a clause reaches an endpoint over HTTP: a unix socket or a TCP address. */
export type EngineAddress =
  { readonly socketPath: string } | { readonly host: string; readonly port: number };

/** What a Docker Engine API address answered to one request. */
export interface HttpAnswer {
  readonly status: number;
  /** Names lower-cased; repeated fields joined with ", " (Set-Cookie: a list), as node:http has them. */
  readonly headers: IncomingHttpHeaders;
  /** The body, read whole as UTF-8. */
  readonly text: string;
}

export interface HttpCallOptions {
  /** Sent as JSON (Content-Type application/json) when given. */
  readonly body?: unknown;
  /** Deadline for the whole answer; 15 s when absent. */
  readonly timeoutMs?: number;
}

/** The answer was not a well-formed HTTP response (a status line, header fields, a whole body). */
export class MalformedAnswerError extends BerthError {
  readonly code = 'ERR_SUITE_MALFORMED_ANSWER';
  constructor(
    readonly request: string,
    readonly defects: readonly string[],
  ) {
    super(`the answer to ${request} is not a well-formed HTTP response: ${defects.join('; ')}`);
  }
}

/** A header list as node:http presents it (lower-case names, repeats joined, Set-Cookie a list). */
export function toIncomingHeaders(headers: HeaderList): IncomingHttpHeaders {
  const result: Record<string, string | string[]> = {};
  for (const [field, value] of headers) {
    const name = field.toLowerCase();
    const previous = result[name];
    if (name === 'set-cookie') result[name] = [...((previous as string[] | undefined) ?? []), value];
    else result[name] = previous === undefined ? value : `${previous as string}, ${value}`;
  }
  return result;
}

/** `Host` as a client puts it for an address: `localhost` for a unix socket, else `host:port`. */
export function hostFor(address: EngineAddress): string {
  if ('socketPath' in address) return 'localhost';
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

/** Methods a client sends without a Content-Length when there is no body (as node:http does). */
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/**
 * A plain client request as node:http's `request({ agent: false })` sends it: the given headers in
 * order, then `Host` and `Connection: close` unless given, and a Content-Length for the body (0 for
 * a POST or PUT without one) unless the headers frame it already.
 */
export function plainRequest(
  address: EngineAddress,
  method: string,
  path: string,
  options: { readonly headers?: HeaderList; readonly body?: Uint8Array } = {},
): RequestSpec {
  const headers: (readonly [string, string])[] = [...(options.headers ?? [])];
  const has = (name: string): boolean => headers.some(([field]) => field.toLowerCase() === name);
  if (!has('host')) headers.push(['Host', hostFor(address)]);
  if (!has('connection')) headers.push(['Connection', 'close']);
  if (
    options.body === undefined &&
    !BODYLESS.has(method) &&
    !has('content-length') &&
    !has('transfer-encoding')
  ) {
    headers.push(['Content-Length', '0']);
  }
  return { method, target: path, headers, ...(options.body === undefined ? {} : { body: options.body }) };
}

/**
 * One request to a Docker Engine API address (unix socket or TCP, plain HTTP), on a connection
 * of its own (`Connection: close`), read whole with the suite's raw client. Resolves whatever the
 * status; rejects with a NoAnswerError (its message starts `no answer within <timeoutMs> ms` when
 * nothing answers in time), a MalformedAnswerError, or the connection's error, which callers wrap
 * in their own error type.
 */
export async function httpCall(
  address: EngineAddress,
  method: string,
  path: string,
  options: HttpCallOptions = {},
): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const request = plainRequest(address, method, path, {
    ...(payload === undefined ? {} : { headers: [['Content-Type', 'application/json']], body: payload }),
  });
  const answer = await sendRequest(address, request, { timeoutMs: options.timeoutMs ?? 15_000 });
  if (answer.status === undefined || !answer.complete || answer.defects.length > 0) {
    throw new MalformedAnswerError(
      `${method} ${path}`,
      answer.defects.length > 0 ? answer.defects : ['the body was cut short'],
    );
  }
  return {
    status: answer.status,
    headers: toIncomingHeaders(answer.head.headers),
    text: answer.body.toString('utf8'),
  };
}
