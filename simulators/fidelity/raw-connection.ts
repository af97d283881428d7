import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import { getHeader, type HeaderList } from '../../protocol/header-list.js';
import { createHeadReader } from '../../protocol/head-reader.js';
import { buildRequestHead } from '../../protocol/http-head-builder.js';
import type { ResponseHead } from '../../protocol/http-head.js';
import {
  ChunkedBodyError,
  createChunkedDecoder,
  type ChunkedDecoder,
  type ChunkedProgress,
} from '../http/chunked-decoder.js';
import { encodeChunk, LAST_CHUNK } from '../http/chunked-encoder.js';
import { MalformedResponseError, RawClientClosedError, RawClientTimeoutError } from './errors.js';

/**
 * How a response body is delimited, as the client has to work it out:
 * - `content-length`: a Content-Length header;
 * - `chunked`: Transfer-Encoding: chunked;
 * - `close`: neither, the body runs until the daemon closes (the legacy hijack, DKR-19/21);
 * - `hijack`: a 101, the connection now carries a raw stream both ways;
 * - `none`: no body by definition (HEAD, 1xx, 204, 304) and no length header either.
 */
export type Framing = 'content-length' | 'chunked' | 'close' | 'hijack' | 'none';

export interface RawRequest {
  readonly method: string;
  /** Request target, e.g. `/v1.41/containers/json?all=1`. */
  readonly target: string;
  /** Sent verbatim and in order; the caller adds Host, Content-Length, Transfer-Encoding. */
  readonly headers: HeaderList;
  readonly body?: Buffer;
  /** Send `body` as one chunk plus the last chunk (the caller sets Transfer-Encoding: chunked). */
  readonly chunked?: boolean;
}

export interface RawResponse {
  readonly head: ResponseHead;
  readonly framing: Framing;
}

export interface RawBody {
  /** The payload, de-chunked. For `hijack` and `close`, every byte until the daemon's FIN. */
  readonly bytes: Buffer;
  /** Number of chunks for a chunked body, 0 otherwise. */
  readonly chunks: number;
}

export interface RawConnectionOptions {
  /** Deadline of each phase (connect, head, body); default 10 s. */
  readonly timeoutMs?: number;
}

/** One client connection to a unix socket, spoken to in raw HTTP/1.1. */
export interface RawConnection extends AsyncDisposable {
  readonly socketPath: string;
  /** Writes the request and resolves with the response head and the framing it implies. */
  send(request: RawRequest, options?: { readonly timeoutMs?: number }): Promise<RawResponse>;
  /** Reads the body the framing announces; `hijack` and `close` read until the daemon's FIN. */
  readBody(response: RawResponse, options?: { readonly timeoutMs?: number }): Promise<RawBody>;
  /** Writes stream bytes (after a hijack: stdin). */
  write(bytes: Buffer): void;
  /** Half-closes our side (FIN); reading goes on (`allowHalfOpen`). */
  halfClose(): void;
  /** True once the daemon has closed its side. */
  readonly ended: boolean;
  /** Destroys the socket and resolves once it is closed. */
  close(): Promise<void>;
}

/** The framing of a response to `method`, from its status and headers. */
export function framingOf(method: string, head: ResponseHead): Framing {
  if (head.status === 101) return 'hijack';
  const chunked = /(?:^|,)\s*chunked\s*$/i.test(getHeader(head.headers, 'transfer-encoding') ?? '');
  const length = getHeader(head.headers, 'content-length');
  if (chunked) return 'chunked';
  if (length !== undefined) return 'content-length';
  const bodiless = method === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304;
  return bodiless ? 'none' : 'close';
}

/** Whether the response carries body bytes on the wire (HEAD, 204 and 304 never do). */
function hasWireBody(method: string, head: ResponseHead): boolean {
  return !(
    method === 'HEAD' ||
    head.status === 204 ||
    head.status === 304 ||
    (head.status < 200 && head.status !== 101)
  );
}

/** Feeds a chunked answer to the decoder; malformed framing is a MalformedResponseError. */
function decodeAnswerChunk(decoder: ChunkedDecoder, chunk: Buffer): ChunkedProgress {
  try {
    return decoder.push(chunk);
  } catch (error) {
    if (error instanceof ChunkedBodyError) throw new MalformedResponseError(error.message, { cause: error });
    throw error;
  }
}

/** Opens a connection with `allowHalfOpen`, so the daemon's output survives our FIN (5.3.1). */
export async function openRawConnection(
  socketPath: string,
  options: RawConnectionOptions = {},
): Promise<RawConnection> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const socket = connect({ path: socketPath, allowHalfOpen: true });
  await withDeadline(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve();
      });
      socket.once('error', reject);
    }),
    'connect',
    timeoutMs,
    () => socket.destroy(),
  );
  return createRawConnection(socketPath, socket, timeoutMs);
}

function createRawConnection(socketPath: string, socket: Socket, defaultTimeoutMs: number): RawConnection {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const notify = (): void => {
    const waiter = wake;
    wake = undefined;
    waiter?.();
  };
  socket.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    notify();
  });
  socket.on('end', () => {
    ended = true;
    notify();
  });
  socket.on('error', (error) => {
    failure = error;
    notify();
  });
  socket.on('close', () => {
    ended = true;
    notify();
  });
  let lastMethod = 'GET';

  /** The next bytes received, or undefined at the daemon's FIN. */
  async function next(): Promise<Buffer | undefined> {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) return chunk;
      if (failure) throw failure;
      if (ended) return undefined;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  const unshift = (bytes: Buffer): void => {
    if (bytes.length > 0) queue.unshift(bytes);
  };

  async function readHead(): Promise<ResponseHead> {
    const reader = createHeadReader({ kind: 'response' });
    for (;;) {
      const chunk = await next();
      if (chunk === undefined) throw new RawClientClosedError('response head');
      const state = reader.push(chunk);
      if (state.state === 'error')
        throw new MalformedResponseError(state.error.message, { cause: state.error });
      if (state.state === 'done') {
        unshift(state.rest);
        return state.head;
      }
    }
  }

  async function readBody(response: RawResponse): Promise<RawBody> {
    const { framing, head } = response;
    if (!hasWireBody(lastMethod, head)) return { bytes: Buffer.alloc(0), chunks: 0 };
    if (framing === 'content-length') {
      const length = Number(getHeader(head.headers, 'content-length'));
      if (!Number.isSafeInteger(length) || length < 0)
        throw new MalformedResponseError(`bad Content-Length ${getHeader(head.headers, 'content-length')}`);
      const parts: Buffer[] = [];
      let have = 0;
      while (have < length) {
        const chunk = await next();
        if (chunk === undefined) throw new RawClientClosedError(`body (${have} of ${length} bytes)`);
        const take = Math.min(chunk.length, length - have);
        parts.push(chunk.subarray(0, take));
        unshift(chunk.subarray(take));
        have += take;
      }
      return { bytes: Buffer.concat(parts), chunks: 0 };
    }
    if (framing === 'chunked') {
      const decoder = createChunkedDecoder();
      const parts: Buffer[] = [];
      for (;;) {
        const chunk = await next();
        if (chunk === undefined) throw new RawClientClosedError('chunked body');
        const state = decodeAnswerChunk(decoder, chunk);
        parts.push(state.data);
        if (state.done) {
          unshift(state.rest);
          return { bytes: Buffer.concat(parts), chunks: decoder.chunks };
        }
      }
    }
    // close-delimited and hijacked: everything until the daemon's FIN.
    const parts: Buffer[] = [];
    for (let chunk = await next(); chunk !== undefined; chunk = await next()) parts.push(chunk);
    return { bytes: Buffer.concat(parts), chunks: 0 };
  }

  const close = async (): Promise<void> => {
    socket.destroy();
    await closed;
  };
  const deadline = <T>(promise: Promise<T>, what: string, timeoutMs: number | undefined): Promise<T> =>
    withDeadline(promise, what, timeoutMs ?? defaultTimeoutMs, () => socket.destroy());

  return {
    socketPath,
    get ended() {
      return ended;
    },
    async send(request, options = {}) {
      lastMethod = request.method;
      socket.write(buildRequestHead({ ...request, version: 'HTTP/1.1' }));
      if (request.body && request.chunked)
        socket.write(Buffer.concat([encodeChunk(request.body), LAST_CHUNK]));
      else if (request.body && request.body.length > 0) socket.write(request.body);
      const head = await deadline(readHead(), 'response head', options.timeoutMs);
      return { head, framing: framingOf(request.method, head) };
    },
    readBody: (response, options = {}) => deadline(readBody(response), 'response body', options.timeoutMs),
    write: (bytes) => {
      socket.write(bytes);
    },
    halfClose: () => {
      socket.end();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function withDeadline<T>(
  promise: Promise<T>,
  what: string,
  timeoutMs: number,
  onTimeout: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new RawClientTimeoutError(what, timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One request on a fresh connection: head and body, then the connection is closed. */
export async function rawExchange(
  socketPath: string,
  request: RawRequest,
  options: RawConnectionOptions = {},
): Promise<RawResponse & RawBody> {
  const connection = await openRawConnection(socketPath, options);
  try {
    const response = await connection.send(request);
    const body = await connection.readBody(response);
    return { ...response, ...body };
  } finally {
    await connection.close();
  }
}
