import { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HeaderList } from '../../../protocol/header-list.js';
import { listenUnix, tempSocketPath } from '../../../simulators/vsock/index.js';
import { createChangeSignal } from '../change-signal.js';
import { ClauseViolationError } from '../suite-errors.js';
import { attachLog, TRANSCRIPT_TEXT_LIMIT } from '../transcript.js';
import { createRequestReader } from './message-reader.js';
import { toBuffer } from './raw-connection.js';
import { StreamRecorder, STREAM_WAIT_MS } from './stream-recorder.js';

/** A request as a scripted guest read it off the wire (with the suite's tolerant parser). */
export interface GuestRequest {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** The first line of the head, as sent. */
  readonly requestLine: string;
  /** The raw head, its blank line included (latin1). */
  readonly head: string;
  /** Header fields in wire order, names as sent. */
  readonly headers: HeaderList;
  readonly header: (name: string) => string | undefined;
  readonly values: (name: string) => string[];
  /**
   * The body as framed on the wire (Content-Length or chunked), de-chunked; with `atHead`, the
   * raw bytes that came with the head.
   */
  readonly body: Buffer;
  /** What the tolerant parser found odd about the head or the body. */
  readonly defects: readonly string[];
}

/** How a scripted piece-by-piece answer is paced and ends. */
export interface PiecesOptions {
  readonly then?: 'end' | 'open' | 'echo' | 'reset';
  readonly gapMs?: number;
}

/** One request a scripted guest received, handed to its script. */
export interface GuestExchange {
  readonly request: GuestRequest;
  /** The guest's side of the connection (half-open capable): the script writes its answer here. */
  readonly socket: Socket;
  /** Everything the guest receives after the request (after a 101: the client's side of the stream). */
  readonly after: StreamRecorder;
  /** Writes `bytes` and ends the guest's side (FIN). */
  readonly answer: (bytes: string | Uint8Array) => void;
  /**
   * Writes each piece once the previous one has been handed to the kernel (a streamed answer),
   * `gapMs` apart when given (the pace of a daemon producing output over time, part of the
   * answer), then: `end` (FIN, the default), `open` (nothing more), `echo` (echo what the client
   * sends until it ends) or `reset` (drop the connection). Stops early when the connection closes.
   */
  readonly pieces: (parts: readonly (string | Uint8Array)[], options?: PiecesOptions) => Promise<void>;
  /** Echoes every byte that arrives after the request, and ends when the client ends. */
  readonly echo: () => void;
  /** Drops the connection at once (on a unix socket: an abrupt close, the form a reset takes there). */
  readonly reset: () => void;
}

/** What a scripted guest does with each request: any bytes, well-formed or not, at any pace. */
export type GuestScript = (exchange: GuestExchange) => void;

export interface ScriptedGuestOptions {
  /** Names the socket file and the guest in transcripts (default `scripted`). */
  readonly name?: string;
  /** Hand each request to the script as soon as its head is in, before the body is read. */
  readonly atHead?: boolean;
}

export interface ScriptedGuest extends AsyncDisposable {
  /** Absolute path of the guest's unix socket. */
  readonly socketPath: string;
  /** Every request handed to the script so far, in arrival order. */
  readonly received: readonly GuestRequest[];
  /** Every exchange so far, in arrival order. */
  readonly exchanges: readonly GuestExchange[];
  /** How many requests reached the script. */
  requests(): number;
  /** Guest-side connections open now. */
  open(): number;
  /** Waits for the first exchange whose request `matches` (default: any); a clause violation after `timeoutMs`. */
  exchange(matches?: (request: GuestRequest) => boolean, timeoutMs?: number): Promise<GuestExchange>;
  /** Waits until every guest-side connection has closed (the proxy let go of the guest). */
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function writeAll(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.writableEnded) return resolve();
    socket.write(data, () => resolve());
  });
}

/** Waits `ms`, or less when the socket closes first; the timer never outlives the wait. */
function gap(socket: Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    socket.once('close', done);
  });
}

/**
 * The suite's one scripted guest: a unix-socket server on a temp path that reads each connection's
 * request (head, then the body by Content-Length or chunked, tolerantly), records it, and hands it
 * to `script` with the connection, which answers with whatever bytes the test needs: raw bytes,
 * pieces over time, a hijacked echo stream, a close, a reset. One request per connection: what
 * follows the request is the script's (`after`). It tracks open connections, so a test can wait
 * for the proxy to let go of the guest (`drained`), and every exchange goes into the clause's
 * transcript.
 */
export async function startScriptedGuest(
  script: GuestScript,
  options: ScriptedGuestOptions = {},
): Promise<ScriptedGuest> {
  const name = options.name ?? 'scripted';
  const socketPath = await tempSocketPath(name);
  const received: GuestRequest[] = [];
  const exchanges: GuestExchange[] = [];
  const sockets = new Set<Socket>();
  const changed = createChangeSignal();

  const handOver = (socket: Socket, request: GuestRequest, rest: Buffer): void => {
    // Paused, so that nothing (an end included) is lost before the script and `after` listen.
    socket.pause();
    const after = new StreamRecorder(socket);
    if (rest.length > 0) socket.unshift(rest);
    const exchange: GuestExchange = {
      request,
      socket,
      after,
      answer(bytes) {
        if (!socket.destroyed) socket.end(toBuffer(bytes));
      },
      async pieces(parts, { then = 'end', gapMs } = {}) {
        for (const [index, part] of parts.entries()) {
          if (index > 0 && gapMs !== undefined) await gap(socket, gapMs);
          await writeAll(socket, toBuffer(part));
        }
        if (socket.destroyed) return;
        if (then === 'end') socket.end();
        else if (then === 'echo') exchange.echo();
        else if (then === 'reset') socket.destroy();
      },
      echo() {
        socket.pipe(socket);
      },
      reset() {
        socket.destroy();
      },
    };
    received.push(request);
    exchanges.push(exchange);
    // What reached the guest (the request, and what followed it) for a failing clause.
    attachLog(
      `${name} guest`,
      () =>
        Buffer.concat([Buffer.from(request.head, 'latin1'), request.body, after.bytes])
          .subarray(0, TRANSCRIPT_TEXT_LIMIT)
          .toString('latin1'),
      () => '(the guest answers as scripted; what the client got is in its own entry)',
    );
    changed.notify();
    script(exchange);
    socket.resume();
  };

  const serve = (duplex: Duplex): void => {
    const socket = duplex as Socket;
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      changed.notify();
    });
    socket.on('error', () => socket.destroy());
    const reader = createRequestReader();
    const onData = (chunk: Buffer): void => {
      reader.push(chunk);
      const head = reader.head;
      if (head === undefined) return;
      const atHead = options.atHead === true;
      if (!atHead && !reader.complete) return;
      socket.off('data', onData);
      const request: GuestRequest = {
        method: head.method,
        target: head.target,
        version: head.version,
        requestLine: head.startLine,
        head: head.text,
        headers: head.headers,
        header: (field) => head.header(field),
        values: (field) => head.values(field),
        body: atHead ? reader.afterHead() : reader.body(),
        defects: reader.defects,
      };
      handOver(socket, request, atHead ? Buffer.alloc(0) : reader.rest());
    };
    socket.on('data', onData);
  };

  const listener = await listenUnix(socketPath, serve);
  const close = async (): Promise<void> => {
    await listener.close();
  };
  return {
    socketPath,
    received,
    exchanges,
    requests: () => received.length,
    open: () => sockets.size,
    async exchange(matches = () => true, timeoutMs = STREAM_WAIT_MS) {
      const find = (): GuestExchange | undefined => exchanges.find((exchange) => matches(exchange.request));
      await changed.until(
        () => find() !== undefined,
        timeoutMs,
        () =>
          new ClauseViolationError(
            `expected the request to reach the guest within ${timeoutMs} ms (it received ${received.length})`,
          ),
      );
      return find()!;
    },
    drained: (timeoutMs = STREAM_WAIT_MS) =>
      changed.until(
        () => sockets.size === 0,
        timeoutMs,
        () =>
          new ClauseViolationError(
            `expected every guest connection to be closed by the proxy within ${timeoutMs} ms (${sockets.size} still open)`,
          ),
      ),
    close,
    [Symbol.asyncDispose]: close,
  };
}
