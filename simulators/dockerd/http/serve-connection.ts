import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { BerthError } from '../../../protocol/errors.js';
import { getHeader, getHeaderValues, type HeaderList } from '../../../protocol/header-list.js';
import { parseHeadLines, scanHead } from '../../../protocol/http-head-lines.js';
import type { RequestHead } from '../../../protocol/http-head.js';
import { RequestBody } from './request-body.js';
import { ResponseWriter } from './response-writer.js';
import { SocketReader } from './socket-reader.js';

/** The socket went away while the simulator was writing to it. */
export class ConnectionClosedError extends BerthError {
  readonly code = 'ERR_DOCKERD_CONNECTION_CLOSED';
}

/** net/http's limit: MaxHeaderBytes (1 MiB) plus its 4096-byte slack. */
export const GO_MAX_HEAD_BYTES = 1048576 + 4096;
/** maxPostHandlerReadBytes: unread body net/http still drains to keep a connection. */
const MAX_POST_HANDLER_READ = 256 * 1024;

/** A connection taken over by a handler (attach and exec start, DKR-19/21). */
export interface Hijacked {
  readonly socket: Duplex;
  /** Reads what the client sends next (bytes already buffered come first). */
  readonly reader: SocketReader;
  /** Writes with backpressure; rejects with ConnectionClosedError once the socket is gone. */
  send(data: Buffer): Promise<void>;
}

export interface HttpRequest {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly headers: HeaderList;
  header(name: string): string | undefined;
  readonly body: RequestBody;
  /** Content-Length, -1 for a chunked body. */
  readonly contentLength: number;
  /** Aborted when the client closes the connection while the handler runs. */
  readonly signal: AbortSignal;
  /** Takes the socket over: the server writes nothing more on it. */
  hijack(): Hijacked;
  /** Fault injection: reset the connection once `bytes` more response bytes were sent. */
  resetAfter(bytes: number): void;
}

export type HttpHandler = (request: HttpRequest, response: ResponseWriter) => Promise<void>;

export interface ServeOptions {
  readonly maxHeadBytes?: number;
  readonly now?: () => number;
  /** Called with errors a handler threw (the client got a 500 or a closed connection). */
  readonly onHandlerError?: (error: unknown) => void;
  /** Told when the connection starts (true) and stops (false) waiting for its next request. */
  readonly onIdle?: (idle: boolean) => void;
}

type HeadResult =
  | { readonly kind: 'head'; readonly head: RequestHead }
  | { readonly kind: 'eof' }
  | { readonly kind: 'error'; readonly status: 400 | 431; readonly detail?: string };

async function readHead(reader: SocketReader, maxBytes: number): Promise<HeadResult> {
  let buffer: Buffer = Buffer.alloc(0);
  for (;;) {
    const chunk = await reader.read().catch(() => null);
    if (chunk === null) return { kind: 'eof' };
    const from = Math.max(0, buffer.length - 3);
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    const scan = scanHead(buffer.subarray(0, Math.min(buffer.length, maxBytes)), from);
    if (scan.kind === 'bare-lf') return { kind: 'error', status: 400 };
    if (scan.kind === 'end') {
      reader.unshift(buffer.subarray(scan.end));
      const parsed = parseHeadLines('request', buffer.subarray(0, scan.end));
      return parsed.ok ? { kind: 'head', head: parsed.head } : { kind: 'error', status: 400 };
    }
    if (buffer.length >= maxBytes) return { kind: 'error', status: 431 };
  }
}

function hasToken(values: readonly string[], token: string): boolean {
  return values.some((value) =>
    value
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .includes(token),
  );
}

/** Writes bytes honouring backpressure; rejects once the socket is closed or errored. */
function sendOn(socket: Duplex, data: Buffer): Promise<void> {
  if (socket.destroyed || socket.writableEnded)
    return Promise.reject(new ConnectionClosedError('connection closed'));
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (error?: Error | null): void => {
      if (settled) return;
      settled = true;
      socket.off('close', onClose);
      if (error) reject(new ConnectionClosedError(`write failed: ${error.message}`, { cause: error }));
      else resolve();
    };
    const onClose = (): void => done(new Error('connection closed'));
    socket.once('close', onClose);
    const flushed = socket.write(data, (error) => {
      if (error) done(error);
      else if (flushed) done();
    });
    if (!flushed) socket.once('drain', () => done());
  });
}

/** Ends our side (FIN) and closes fully once the peer has ended too, or after `lingerMs`. */
export function finishSocket(socket: Duplex, lingerMs = 1000): void {
  if (socket.destroyed) return;
  socket.end();
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // The peer's FIN (or what it still sends) ends the lingering early.
  if (socket.readableEnded) socket.destroy();
  else {
    socket.on('end', () => socket.destroy());
    socket.removeAllListeners('readable');
    socket.resume();
  }
}

/**
 * Serves HTTP/1.1 on one connection the way Go's net/http does for dockerd: requests one at a
 * time (pipelined ones wait in the buffer), keep-alive, Content-Length and chunked bodies,
 * "100 Continue" when the handler first reads the body, the unread rest drained (or the
 * connection closed), and hijacking. Resolves when the connection is done or hijacked.
 */
export async function serveConnection(
  socket: Duplex,
  handler: HttpHandler,
  options: ServeOptions = {},
): Promise<void> {
  const maxHeadBytes = options.maxHeadBytes ?? GO_MAX_HEAD_BYTES;
  const now = options.now ?? Date.now;
  const reader = new SocketReader(socket);
  socket.on('error', () => undefined);
  let resetBudget: number | undefined;

  const send = async (data: Buffer): Promise<void> => {
    if (resetBudget !== undefined) {
      if (data.length >= resetBudget) {
        const part = data.subarray(0, resetBudget);
        resetBudget = undefined;
        if (part.length > 0) await sendOn(socket, part).catch(() => undefined);
        // A TCP (or memory) socket sends a reset; a unix socket cannot (Node throws), it closes.
        const resettable = socket as Duplex & { resetAndDestroy?: () => void };
        try {
          if (typeof resettable.resetAndDestroy === 'function') resettable.resetAndDestroy();
          else socket.destroy();
        } catch {
          socket.destroy();
        }
        throw new ConnectionClosedError('connection reset by fault injection');
      }
      resetBudget -= data.length;
    }
    await sendOn(socket, data);
  };

  for (;;) {
    options.onIdle?.(true);
    const result = await readHead(reader, maxHeadBytes);
    options.onIdle?.(false);
    if (result.kind === 'eof') {
      if (!socket.destroyed) finishSocket(socket);
      return;
    }
    if (result.kind === 'error') {
      const text = result.status === 431 ? '431 Request Header Fields Too Large' : '400 Bad Request';
      await sendGoError(socket, text);
      return;
    }
    const head = result.head;
    const version = head.version === 'HTTP/1.0' ? 'HTTP/1.0' : 'HTTP/1.1';
    if (head.version !== 'HTTP/1.0' && head.version !== 'HTTP/1.1') {
      await sendGoError(socket, '505 HTTP Version Not Supported: unsupported protocol version');
      return;
    }
    if (version === 'HTTP/1.1' && getHeader(head.headers, 'host') === undefined) {
      await sendGoError(socket, '400 Bad Request: missing required Host header');
      return;
    }
    const transferEncoding = getHeaderValues(head.headers, 'transfer-encoding');
    const chunked = transferEncoding.length > 0;
    if (chunked && !(transferEncoding.length === 1 && transferEncoding[0]?.toLowerCase() === 'chunked')) {
      await sendGoError(
        socket,
        `501 Not Implemented: unsupported transfer encoding: ${JSON.stringify(transferEncoding.join(','))}`,
      );
      return;
    }
    const lengths = getHeaderValues(head.headers, 'content-length');
    let contentLength = 0;
    if (!chunked && lengths.length > 0) {
      const first = lengths[0]?.trim() ?? '';
      if (!/^[0-9]+$/.test(first) || lengths.some((value) => value.trim() !== first)) {
        await sendGoError(socket, '400 Bad Request: bad Content-Length');
        return;
      }
      contentLength = Number(first);
    }
    const connection = getHeaderValues(head.headers, 'connection');
    let closeAfterReply =
      version === 'HTTP/1.1' ? hasToken(connection, 'close') : !hasToken(connection, 'keep-alive');
    const bodyPresent = chunked || contentLength > 0;
    const expectContinue =
      version === 'HTTP/1.1' &&
      bodyPresent &&
      hasToken(getHeaderValues(head.headers, 'expect'), '100-continue');
    let continueSent = false;
    let hijacked = false;
    let finished = false;
    // Made when a handler first asks for the signal: most never do.
    let abort: AbortController | undefined;
    let clientGone = false;

    // Go's background read: once the body is consumed, a FIN or reset from the client cancels
    // the request; bytes of a pipelined request just stay buffered.
    const watchClient = (): void => {
      void reader.waitReadable().then((state) => {
        if (state !== 'data' && !finished && !hijacked) {
          clientGone = true;
          abort?.abort();
        }
      });
    };
    const sendContinue = async (): Promise<void> => {
      continueSent = true;
      await send(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1'));
    };
    const body = new RequestBody(
      reader,
      chunked ? { chunked: true } : { length: contentLength },
      expectContinue ? { onFirstRead: sendContinue, onEnd: watchClient } : { onEnd: watchClient },
    );
    if (!bodyPresent) watchClient();

    const response = new ResponseWriter({
      method: head.method,
      version,
      get closeAfterReply() {
        return closeAfterReply;
      },
      markClose: () => {
        closeAfterReply = true;
      },
      beforeHead: async () => {
        if (body.done || !bodyPresent) return;
        if (expectContinue && !continueSent) {
          closeAfterReply = true;
          return;
        }
        if (closeAfterReply) return;
        try {
          if (!(await body.discard(MAX_POST_HANDLER_READ))) closeAfterReply = true;
        } catch {
          closeAfterReply = true;
        }
      },
      send,
      now,
    });

    const request: HttpRequest = {
      method: head.method,
      target: head.target,
      version,
      headers: head.headers,
      header: (name) => getHeader(head.headers, name),
      body,
      contentLength: chunked ? -1 : contentLength,
      get signal() {
        if (abort === undefined) {
          abort = new AbortController();
          if (clientGone) abort.abort();
        }
        return abort.signal;
      },
      hijack: () => {
        hijacked = true;
        return { socket, reader, send };
      },
      resetAfter: (bytes) => {
        resetBudget = bytes;
      },
    };

    try {
      await handler(request, response);
      if (hijacked) return;
      await response.end();
    } catch (error) {
      if (hijacked) return;
      if (!(error instanceof ConnectionClosedError)) options.onHandlerError?.(error);
      if (!response.headSent && !socket.destroyed && !(error instanceof ConnectionClosedError)) {
        await sendGoError(socket, '500 Internal Server Error').catch(() => undefined);
      } else socket.destroy();
      return;
    } finally {
      finished = true;
    }
    if (closeAfterReply || socket.destroyed) {
      finishSocket(socket);
      return;
    }
  }
}

/** net/http's own error answers (bad requests): plain text and close. */
async function sendGoError(socket: Duplex, text: string): Promise<void> {
  const head = `HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${text}`;
  await sendOn(socket, Buffer.from(head, 'latin1')).catch(() => undefined);
  finishSocket(socket);
}
