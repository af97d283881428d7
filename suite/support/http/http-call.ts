import { Buffer } from 'node:buffer';
import { request, type IncomingHttpHeaders } from 'node:http';
import { text } from 'node:stream/consumers';

/** Where a clause reaches an endpoint over HTTP: a unix socket or a TCP address. */
export type EngineAddress =
  { readonly socketPath: string } | { readonly host: string; readonly port: number };

/** What a Docker Engine API address answered to one request. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body, read whole as UTF-8. */
  readonly text: string;
}

export interface HttpCallOptions {
  /** Sent as JSON (Content-Type application/json) when given. */
  readonly body?: unknown;
  /** Deadline for the answer; none when absent. */
  readonly timeoutMs?: number;
}

/**
 * One request to a Docker Engine API address (unix socket or TCP, plain HTTP), on a connection
 * of its own, read whole. Resolves whatever the status; rejects with the underlying error (an
 * Error whose message is `no answer within <timeoutMs> ms` when nothing answers in time), which
 * callers wrap in their own error type.
 */
export function httpCall(
  address: EngineAddress,
  method: string,
  path: string,
  options: HttpCallOptions = {},
): Promise<HttpAnswer> {
  const { timeoutMs } = options;
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers =
    payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...address,
        method,
        path,
        headers,
        agent: false,
        ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
      },
      (res) => {
        text(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: body }),
          reject,
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
