import { Buffer } from 'node:buffer';
import { createServer, type Server, type Socket } from 'node:net';
import { GARBAGE_BYTES, type FaultKind } from '../../protocol/faults.js';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import { createChangeSignal } from './change-signal.js';
import { createRequestReader } from './http/message-reader.js';
import { ClauseViolationError } from './suite-errors.js';
import { attachLog, TRANSCRIPT_TEXT_LIMIT } from './transcript.js';

/**
 * The guest-side faults of the fault matrix (FLT), named and documented in protocol/faults.ts:
 * `refuse` (nothing listens on the guest's socket), `answer-delay` (by `delayMs`),
 * `reset-before-head`, `reset-mid-body`, `reset-mid-stream`, `answer-stall`, `garbage-answer` and
 * `fin-before-answer`. On a unix socket a "reset" is an abrupt close (destroy) of the guest's
 * connection: the form a dying guest takes there.
 */
export type GuestFault = Extract<
  FaultKind,
  | 'refuse'
  | 'answer-delay'
  | 'reset-before-head'
  | 'reset-mid-body'
  | 'reset-mid-stream'
  | 'answer-stall'
  | 'garbage-answer'
  | 'fin-before-answer'
>;

/** A request as the faulty guest read it. */
export interface FaultyGuestRequest {
  readonly method: string;
  readonly target: string;
  /** The raw head, CRLFCRLF included. */
  readonly head: string;
}

/** A healthy guest's answer: a head, the body in pieces, then the end (or an echo stream). */
export interface GuestAnswer {
  /** The response head, CRLFCRLF included. */
  readonly head: string;
  /** Body pieces, written one per turn (a streamed answer). */
  readonly pieces: readonly string[];
  /** `end`: close after the pieces; `echo`: an upgraded stream that echoes until the client ends. */
  readonly then: 'end' | 'echo';
}

export interface FaultyGuestOptions {
  /** The healthy answer to a request; undefined for the built-in ones (ping, inspect, 404). */
  readonly answer: (request: FaultyGuestRequest) => GuestAnswer | undefined;
  /** How late an `answer-delay` answer comes (default 150 ms). */
  readonly delayMs?: number;
}

export interface FaultyGuest extends AsyncDisposable {
  /** Absolute path of the guest's unix socket. */
  readonly socketPath: string;
  /**
   * Applies `fault` to the next request `matches` selects (every other request is answered
   * healthily). `refuse` stops listening until `recover()`.
   */
  arm(fault: GuestFault, matches: (request: FaultyGuestRequest) => boolean): Promise<void>;
  /** Listens again after `refuse`, and disarms any fault not yet applied. */
  recover(): Promise<void>;
  /** Waits until the armed fault has been applied to a request. */
  faulted(timeoutMs?: number): Promise<void>;
  /** Guest-side connections open now. */
  open(): number;
  /** Waits until every guest-side connection has closed (the proxy let go of the guest). */
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const GENERIC_404 = '{"message":"page not found"}\n';

function plainAnswer(status: number, reason: string, type: string, body: string): GuestAnswer {
  return {
    head:
      `HTTP/1.1 ${status} ${reason}\r\nApi-Version: 1.41\r\nContent-Type: ${type}\r\n` +
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n`,
    pieces: [body],
    then: 'end',
  };
}

/** What a plain dockerd answers to what a proxy may ask besides the request under test. */
function builtInAnswer(request: FaultyGuestRequest): GuestAnswer {
  const path = request.target.split('?')[0] ?? '';
  const container = /\/containers\/([^/]+)\/json$/.exec(path)?.[1];
  const exec = /\/exec\/([^/]+)\/json$/.exec(path)?.[1];
  if (path.endsWith('/_ping')) return plainAnswer(200, 'OK', 'text/plain; charset=utf-8', 'OK');
  if (container !== undefined && request.method === 'GET') {
    const body = { Id: container, Name: `/${container}`, State: { Running: true }, Config: { Tty: false } };
    return plainAnswer(200, 'OK', 'application/json', `${JSON.stringify(body)}\n`);
  }
  if (exec !== undefined && request.method === 'GET') {
    const body = { ID: exec, ContainerID: 'c0ffee', Running: false, ProcessConfig: { tty: false } };
    return plainAnswer(200, 'OK', 'application/json', `${JSON.stringify(body)}\n`);
  }
  return plainAnswer(404, 'Not Found', 'application/json', GENERIC_404);
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A guest the suite serves on a temp unix socket that answers like a small dockerd (each class of
 * request gets the healthy answer `options.answer` gives) and applies one armed fault to the next
 * request it selects. Every connection is logged into the running clause's transcript.
 */
export async function startFaultyGuest(options: FaultyGuestOptions): Promise<FaultyGuest> {
  const socketPath = await tempSocketPath('faulty');
  const delayMs = options.delayMs ?? 150;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let armed: { fault: GuestFault; matches: (request: FaultyGuestRequest) => boolean } | undefined;
  let applied = false;
  const changed = createChangeSignal();
  const wake = (): void => changed.notify();
  let server: Server | undefined;

  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  /** Writes to a guest connection, keeping a copy for the transcript. */
  const sent = new WeakMap<Socket, Buffer[]>();
  const put = (socket: Socket, data: string | Buffer, done?: () => void): void => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    sent.get(socket)?.push(bytes);
    socket.write(bytes, done);
  };

  const sendAnswer = async (socket: Socket, answer: GuestAnswer, cutAfterFirst: boolean): Promise<void> => {
    put(socket, answer.head);
    for (const [index, piece] of answer.pieces.entries()) {
      if (socket.destroyed) return;
      if (cutAfterFirst && index === 0) {
        // Let the head and the first piece reach the proxy, then drop the connection. The pause is
        // part of the fault (a guest that dies a moment after it began its answer), not a wait for
        // something: the write callback already says the bytes are in the kernel.
        await new Promise<void>((resolve) => put(socket, piece, resolve));
        later(50, () => socket.destroy());
        return;
      }
      put(socket, piece);
      await tick();
    }
    if (socket.destroyed) return;
    if (answer.then === 'end') socket.end();
    else socket.on('data', (chunk: Buffer) => put(socket, chunk));
  };

  const serve = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      wake();
    });
    socket.on('error', () => socket.destroy());
    // Like dockerd, the guest closes a connection its peer has ended (an echo stream included).
    socket.on('end', () => {
      if (!socket.writableEnded) socket.end();
    });
    const reader = createRequestReader();
    let buffered = Buffer.alloc(0);
    let request: FaultyGuestRequest | undefined;
    let fault: GuestFault | undefined;
    let answered = false;
    const written: Buffer[] = [];
    sent.set(socket, written);
    attachLog(
      'faulty guest',
      () => buffered.subarray(0, TRANSCRIPT_TEXT_LIMIT).toString('latin1'),
      () => Buffer.concat(written).subarray(0, TRANSCRIPT_TEXT_LIMIT).toString('latin1'),
    );

    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      reader.push(chunk);
      if (request === undefined) {
        const head = reader.head;
        if (head === undefined) return;
        request = { method: head.method, target: head.target, head: head.text };
        if (armed !== undefined && !applied && armed.matches(request)) {
          fault = armed.fault;
          applied = true;
          wake();
        }
        // Faults before the request is read whole.
        if (fault === 'reset-before-head') return void socket.destroy();
        if (fault === 'fin-before-answer') return void socket.end();
      }
      if (answered || fault === 'fin-before-answer') return;
      if (!reader.complete) return;
      answered = true;
      const answer = options.answer(request) ?? builtInAnswer(request);
      switch (fault) {
        case 'answer-stall':
          return;
        case 'garbage-answer':
          put(socket, Buffer.from(GARBAGE_BYTES));
          socket.end();
          return;
        case 'answer-delay':
          // The lateness is the fault under test (FLT-2), not a wait for something.
          later(delayMs, () => void sendAnswer(socket, answer, false));
          return;
        case 'reset-mid-body':
        case 'reset-mid-stream':
          void sendAnswer(socket, answer, true);
          return;
        default:
          void sendAnswer(socket, answer, false);
      }
    };
    socket.on('data', onData);
  };

  const listen = async (): Promise<void> => {
    const created = createServer({ allowHalfOpen: true }, serve);
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(socketPath, () => {
        created.removeListener('error', reject);
        resolve();
      });
    });
    server = created;
  };
  const stopListening = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current !== undefined) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  const waitFor = (condition: () => boolean, what: () => string, timeoutMs: number): Promise<void> =>
    changed.until(
      condition,
      timeoutMs,
      () => new ClauseViolationError(`expected ${what()} within ${timeoutMs} ms`),
    );

  await listen();
  const close = async (): Promise<void> => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const socket of sockets) socket.destroy();
    await stopListening();
  };
  return {
    socketPath,
    async arm(fault, matches) {
      armed = { fault, matches };
      applied = false;
      if (fault === 'refuse') {
        applied = true;
        await stopListening();
      }
    },
    async recover() {
      armed = undefined;
      if (server === undefined) await listen();
    },
    faulted: (timeoutMs = 10_000) =>
      waitFor(
        () => applied,
        () => 'the faulted request to reach the guest',
        timeoutMs,
      ),
    open: () => sockets.size,
    drained: (timeoutMs = 10_000) =>
      waitFor(
        () => sockets.size === 0,
        () => `every guest connection to be closed by the proxy (${sockets.size} still open)`,
        timeoutMs,
      ),
    close,
    [Symbol.asyncDispose]: close,
  };
}
