import { request } from 'node:http';
import type { EngineAddress } from '../targets/engine-facet.js';

/** What a Docker Engine API address answered to one JSON request. */
export interface JsonAnswer {
  readonly status: number;
  /** The body, read whole as UTF-8. */
  readonly text: string;
  /** The body parsed as JSON: undefined when empty, the text itself when it is not JSON. */
  readonly json: unknown;
}

/**
 * One request to a Docker Engine API address (a unix socket path, or an address), on a connection
 * of its own, with `body` (when given) sent as JSON; the answer is read whole. Resolves whatever the
 * status (callers decide what a 4xx means); rejects on a transport error.
 */
export function requestJson(
  address: string | EngineAddress,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        ...(typeof address === 'string' ? { socketPath: address } : address),
        method,
        path,
        agent: false,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text, json: parseJson(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
