import type { EngineAddress } from './http-call.js';
import { httpCall } from './http-call.js';

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
export async function requestJson(
  address: string | EngineAddress,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonAnswer> {
  const answer = await httpCall(
    typeof address === 'string' ? { socketPath: address } : address,
    method,
    path,
    {
      body,
    },
  );
  return { status: answer.status, text: answer.text, json: parseJson(answer.text) };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
