import { Buffer } from 'node:buffer';
import type { HeaderList } from '../../../protocol/header-list.js';
import { buildRequestHead } from '../../../protocol/http-head-builder.js';
import { isClauseViolation, NoAnswerError } from '../suite-errors.js';
import { printable, recordExchange } from '../transcript.js';
import { encodeChunked } from './chunked-decoder.js';
import { RawConnection, toBuffer, type AnswerView, type RawAddress } from './raw-connection.js';

/** A well-formed request for the suite's raw client to send. */
export interface RequestSpec {
  readonly method: string;
  readonly target: string;
  /** Header fields in the order they are sent; framing fields are added by `body`/`chunked`. */
  readonly headers?: HeaderList;
  /** The body (a string as UTF-8). */
  readonly body?: Uint8Array | string;
  /** Send the body chunked (Transfer-Encoding: chunked) rather than with a Content-Length. */
  readonly chunked?: boolean;
}

const hasField = (headers: HeaderList, name: string): boolean =>
  headers.some(([field]) => field.toLowerCase() === name);

/**
 * The bytes of a request: the head (protocol/ builds it and refuses unsafe fields), then the body,
 * chunk-encoded when `chunked`. A body gets a Content-Length (or Transfer-Encoding: chunked) after
 * the given headers, unless they already carry one.
 */
export function buildRequest(spec: RequestSpec): Buffer {
  const body =
    spec.body === undefined
      ? undefined
      : typeof spec.body === 'string'
        ? Buffer.from(spec.body)
        : toBuffer(spec.body);
  const headers: (readonly [string, string])[] = [...(spec.headers ?? [])];
  if (body !== undefined && !hasField(headers, 'content-length') && !hasField(headers, 'transfer-encoding')) {
    headers.push(
      spec.chunked === true ? ['Transfer-Encoding', 'chunked'] : ['Content-Length', String(body.length)],
    );
  }
  const head = buildRequestHead({ method: spec.method, target: spec.target, version: 'HTTP/1.1', headers });
  if (body === undefined) return head;
  return Buffer.concat([head, spec.chunked === true ? encodeChunked(body) : body]);
}

export interface SendOptions {
  /** Deadline for the whole answer (default 15 s). */
  readonly timeoutMs?: number;
  /** The peer's name in the clause's transcript. */
  readonly peer?: string;
  /** Ends our side (FIN) right after the request. */
  readonly halfClose?: boolean;
}

/** How a request shows in a transcript: its head as text, and the body (clipped). */
function shown(bytes: Buffer): string {
  return printable(bytes.subarray(0, 4096));
}

/**
 * Sends one request on a connection of its own and reads the answer whole by its framing (or
 * until the connection ends), then closes the connection and records the exchange in the clause's
 * transcript. Tolerant: the answer is returned as it came, with its `defects`, for the caller to
 * judge. Rejects with NoAnswerError when no answer head came (in time, or before the close), or
 * with the connection's error when it cannot connect.
 */
export async function sendRequest(
  address: RawAddress,
  request: RequestSpec | Uint8Array | string,
  options: SendOptions = {},
): Promise<AnswerView> {
  const bytes =
    typeof request === 'string' || request instanceof Uint8Array ? toBuffer(request) : buildRequest(request);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const connection = await RawConnection.open(address, {
    transcript: false,
    ...(options.peer === undefined ? {} : { peer: options.peer }),
  }).catch((error: unknown) => {
    recordExchange(options.peer ?? 'peer', shown(bytes), error as Error);
    throw error;
  });
  const line = JSON.stringify(bytes.toString('latin1', 0, 200).split(/\r?\n/)[0] ?? '');
  try {
    connection.send(bytes);
    if (options.halfClose === true) connection.halfClose();
    try {
      await connection.until((c) => c.settled, 'the answer', timeoutMs);
    } catch (error) {
      if (!isClauseViolation(error)) throw error;
      if (connection.head === undefined) throw new NoAnswerError(line, 'timeout', timeoutMs, connection.text);
    }
    const answer = connection.answer;
    if (answer === undefined) throw new NoAnswerError(line, 'closed', timeoutMs, connection.text);
    if (!answer.complete && !connection.finished) {
      throw new NoAnswerError(line, 'incomplete', timeoutMs, connection.text);
    }
    recordExchange(connection.peer, shown(bytes), shown(Buffer.concat([answer.head.raw, answer.afterHead])));
    return answer;
  } catch (error) {
    recordExchange(connection.peer, shown(bytes), error as Error);
    throw error;
  } finally {
    connection.close();
  }
}
