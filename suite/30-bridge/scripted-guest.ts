import { Buffer } from 'node:buffer';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClauseViolationError } from '../support/suite-errors.js';
import { attachLog, TRANSCRIPT_TEXT_LIMIT } from '../support/transcript.js';
import { Received } from './received.js';

/** A request as the guest read it off the wire. */
export interface GuestRequest {
  readonly method: string;
  readonly target: string;
  /** The raw head, CRLFCRLF included. */
  readonly head: string;
  readonly headers: readonly (readonly [string, string])[];
  /** The body as framed on the wire (Content-Length or chunked), de-chunked. */
  readonly body: Buffer;
}

/** One scripted exchange: the guest's socket, the request and what arrives after it. */
export interface GuestExchange {
  readonly socket: Socket;
  readonly request: GuestRequest;
  /** Everything the guest receives after the request (the upgraded stream's client side). */
  readonly after: Received;
}

export type GuestScript = (exchange: GuestExchange) => void;

export interface ScriptedGuestOptions {
  /** Run the script as soon as the head is in, before the body has been read (default false). */
  readonly atHead?: boolean;
}

/** The requests a script handles: attach, exec start and BuildKit /session. */
const SCRIPTED = /\/(containers\/[^/?]+\/attach|exec\/[^/?]+\/start|session)(\?|$)/;

export interface ScriptedGuest extends AsyncDisposable {
  /** Absolute path of the guest's unix socket. */
  readonly path: string;
  /** The scripted exchanges so far. */
  readonly exchanges: readonly GuestExchange[];
  /** Waits for the first scripted exchange. */
  exchange(timeoutMs?: number): Promise<GuestExchange>;
  close(): Promise<void>;
}

const headerValue = (headers: GuestRequest['headers'], name: string): string | undefined =>
  headers.find(([field]) => field.toLowerCase() === name)?.[1];

function parseHead(head: string): Omit<GuestRequest, 'body'> {
  const [requestLine = '', ...lines] = head.slice(0, -4).split('\r\n');
  const [method = '', target = ''] = requestLine.split(' ');
  const headers = lines.map((line): readonly [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return { method, target, head, headers };
}

/** Decodes a complete chunked body at the start of `bytes`; undefined while incomplete. */
function dechunk(bytes: Buffer): { body: Buffer; used: number } | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.toString('latin1', at, lineEnd).split(';')[0] ?? '', 16);
    at = lineEnd + 2;
    if (size === 0) {
      const end = bytes.indexOf('\r\n\r\n', at - 2, 'latin1');
      return end < 0 ? undefined : { body: Buffer.concat(parts), used: end + 4 };
    }
    if (bytes.length < at + size + 2) return undefined;
    parts.push(bytes.subarray(at, at + size));
    at += size + 2;
  }
}

/** The answers of a plain guest dockerd to what a proxy may ask besides the scripted request. */
function answerAside(socket: Socket, request: Omit<GuestRequest, 'body'>): void {
  const path = request.target.split('?')[0] ?? '';
  const container = /\/containers\/([^/]+)\/json$/.exec(path)?.[1];
  const exec = /\/exec\/([^/]+)\/json$/.exec(path)?.[1];
  let status = 404;
  let body = '{"message":"page not found"}\n';
  if (path.endsWith('/_ping')) [status, body] = [200, 'OK'];
  else if (container !== undefined) {
    status = 200;
    body = `${JSON.stringify({ Id: container, Name: `/${container}`, State: { Running: true }, Config: { Tty: false } })}\n`;
  } else if (exec !== undefined) {
    status = 200;
    body = `${JSON.stringify({ ID: exec, ContainerID: 'c0ffee', Running: false, ProcessConfig: { tty: false } })}\n`;
  }
  const type = status === 200 && body === 'OK' ? 'text/plain' : 'application/json';
  socket.end(
    `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Not Found'}\r\nApi-Version: 1.41\r\nContent-Type: ${type}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * A raw guest on a temp unix socket (half-open capable). Attach, exec start and /session requests
 * go to `script`; anything else a proxy may send first (a ping, an inspect) gets a plain answer.
 */
export async function startScriptedGuest(
  script: GuestScript,
  options: ScriptedGuestOptions = {},
): Promise<ScriptedGuest> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-upg-'));
  const path = join(dir, 'guest.sock');
  const sockets = new Set<Socket>();
  const exchanges: GuestExchange[] = [];
  const waiters = new Set<() => void>();

  const serve = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    let head: Omit<GuestRequest, 'body'> | undefined;
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (head === undefined) {
        const end = buffered.indexOf('\r\n\r\n', 0, 'latin1');
        if (end < 0) return;
        head = parseHead(buffered.toString('latin1', 0, end + 4));
        buffered = buffered.subarray(end + 4);
        if (!SCRIPTED.test(head.target)) {
          socket.off('data', onData);
          answerAside(socket, head);
          socket.resume();
          return;
        }
        if (options.atHead === true) {
          socket.off('data', onData);
          start({ ...head, body: buffered }, Buffer.alloc(0));
          return;
        }
      }
      let body: Buffer;
      let rest: Buffer;
      if (headerValue(head.headers, 'transfer-encoding')?.toLowerCase().includes('chunked') === true) {
        const decoded = dechunk(buffered);
        if (decoded === undefined) return;
        [body, rest] = [decoded.body, buffered.subarray(decoded.used)];
      } else {
        const length = Number(headerValue(head.headers, 'content-length') ?? '0');
        if (buffered.length < length) return;
        [body, rest] = [buffered.subarray(0, length), buffered.subarray(length)];
      }
      socket.off('data', onData);
      start({ ...head, body }, rest);
    };
    const start = (request: GuestRequest, rest: Buffer): void => {
      socket.pause();
      const after = new Received(socket);
      if (rest.length > 0) socket.unshift(rest);
      const exchange: GuestExchange = { socket, request, after };
      exchanges.push(exchange);
      // What reached the guest, and what the guest's side received after it, for a failing clause.
      attachLog(
        'scripted guest',
        () => `${request.head}${request.body.toString('latin1')}`,
        () => after.bytes.subarray(0, TRANSCRIPT_TEXT_LIMIT).toString('latin1'),
      );
      for (const wake of [...waiters]) wake();
      script(exchange);
      socket.resume();
    };
    socket.on('data', onData);
  };

  const server: Server = createServer({ allowHalfOpen: true }, serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });

  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
  return {
    path,
    exchanges,
    async exchange(timeoutMs = 5000) {
      const first = (): GuestExchange | undefined => exchanges[0];
      const found = first();
      if (found !== undefined) return found;
      return new Promise<GuestExchange>((resolve, reject) => {
        const wake = (): void => {
          const now = first();
          if (now === undefined) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(now);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new ClauseViolationError(`expected the request to reach the guest within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
