import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import { getHeader, type HeaderList } from '../../protocol/header-list.js';
import { createHeadReader } from '../../protocol/head-reader.js';
import { buildRequestHead } from '../../protocol/http-head-builder.js';
import type { ResponseHead } from '../../protocol/http-head.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import { printable, recordExchange } from '../support/transcript.js';
import type { Target } from '../targets/target.js';

type EngineSession = Awaited<ReturnType<NonNullable<Target['engine']>['open']>>;
export type EngineAddress = EngineSession['address'];

/** Query values: booleans are sent as 1 and 0, objects (filters) as JSON. */
export type QueryValue = string | number | boolean | Readonly<Record<string, unknown>>;

export interface RequestSpec {
  readonly method: string;
  /** The path without the version prefix (`/containers/json`), or the whole target if `raw`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue | undefined>>;
  /** A JSON body (Content-Type: application/json). */
  readonly json?: unknown;
  /** A body sent as is (set Content-Type in `headers`). */
  readonly body?: Buffer | string;
  /** Send the body chunked (Transfer-Encoding: chunked), as `docker cp` does. */
  readonly chunked?: boolean;
  readonly headers?: HeaderList;
  /** Send `path` as it stands, without `/v<api>` (for `/_ping`, unversioned and odd targets). */
  readonly raw?: boolean;
}

/**
 * How the response body is delimited: a length, chunks, the daemon's FIN (a hijack or the legacy
 * 200 raw-stream), or nothing at all (HEAD, 204, 304).
 */
export type Framing = 'content-length' | 'chunked' | 'close' | 'hijack' | 'none';

/** One response read whole. */
export interface Reply {
  readonly status: number;
  readonly reason: string;
  readonly headers: HeaderList;
  header(name: string): string | undefined;
  readonly framing: Framing;
  /** The body, de-chunked. */
  readonly body: Buffer;
  readonly text: string;
  /** The body parsed as JSON; a clause violation naming the text when it is not JSON. */
  json<T = unknown>(): T;
}

export function framingOf(method: string, head: ResponseHead): Framing {
  if (head.status === 101) return 'hijack';
  const chunked = /(?:^|,)\s*chunked\s*$/i.test(getHeader(head.headers, 'transfer-encoding') ?? '');
  if (chunked) return 'chunked';
  if (getHeader(head.headers, 'content-length') !== undefined) return 'content-length';
  if (method === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304) return 'none';
  return 'close';
}

/** Incremental Transfer-Encoding: chunked decoder; `done` once the last chunk and trailers arrived. */
class ChunkedDecoder {
  #pending = Buffer.alloc(0);
  #state: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
  #remaining = 0;
  done = false;
  readonly chunks: Buffer[] = [];

  /** Throws on a malformed size line. */
  push(bytes: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, bytes]);
    while (!this.done) {
      if (this.#state === 'data') {
        if (this.#pending.length === 0) return;
        const take = Math.min(this.#pending.length, this.#remaining);
        this.chunks.push(this.#pending.subarray(0, take));
        this.#pending = this.#pending.subarray(take);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'crlf';
        continue;
      }
      if (this.#state === 'crlf') {
        if (this.#pending.length < 2) return;
        this.#pending = this.#pending.subarray(2);
        this.#state = 'size';
        continue;
      }
      const eol = this.#pending.indexOf('\r\n');
      if (eol < 0) return;
      const line = this.#pending.subarray(0, eol).toString('latin1');
      this.#pending = this.#pending.subarray(eol + 2);
      if (this.#state === 'trailer') {
        if (line === '') this.done = true;
        continue;
      }
      const size = Number.parseInt(line.split(';')[0] ?? '', 16);
      if (!Number.isInteger(size) || size < 0)
        throw new Error(`malformed chunk size line ${JSON.stringify(line)}`);
      if (size === 0) this.#state = 'trailer';
      else {
        this.#remaining = size;
        this.#state = 'data';
      }
    }
  }
}

function encodeQuery(query: RequestSpec['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'boolean') params.set(key, value ? '1' : '0');
    else if (typeof value === 'object') params.set(key, JSON.stringify(value));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function headText(head: ResponseHead): string {
  return `${head.version} ${head.status} ${head.reason}\n${head.headers.map(([n, v]) => `${n}: ${v}`).join('\n')}`;
}

/**
 * One exchange on its own connection, read as it streams: the response head, then the body as
 * its framing delimits it (for a hijack, the raw stream until the daemon's FIN). The exchange is
 * written into the clause's transcript once it finishes, times out or is closed.
 */
export class Exchange {
  readonly head: ResponseHead;
  readonly framing: Framing;
  readonly #socket: Socket;
  readonly #sent: string;
  readonly #peer: string;
  readonly #chunked: ChunkedDecoder | undefined;
  readonly #raw: Buffer[] = [];
  #rawLength = 0;
  readonly #length: number;
  #ended = false;
  /** Why the body is incomplete although the connection ended (a length or chunk cut short). */
  #broken: string | undefined;
  #recorded = false;
  readonly #waiters = new Set<() => void>();

  constructor(peer: string, sent: string, socket: Socket, head: ResponseHead, method: string, rest: Buffer) {
    this.#peer = peer;
    this.#sent = sent;
    this.#socket = socket;
    this.head = head;
    this.framing = framingOf(method, head);
    this.#chunked = this.framing === 'chunked' ? new ChunkedDecoder() : undefined;
    this.#length =
      this.framing === 'content-length' ? Number(getHeader(head.headers, 'content-length') ?? 0) : -1;
    if (this.framing === 'none' || this.#length === 0) this.#ended = true;
    socket.on('data', (chunk: Buffer) => this.#take(chunk));
    socket.on('end', () => this.#cut());
    socket.on('close', () => this.#cut());
    socket.on('error', () => this.#cut());
    if (rest.length > 0) this.#take(rest);
    if (this.#ended) this.#notify();
  }

  #take(chunk: Buffer): void {
    if (this.#ended) return;
    if (this.#chunked !== undefined) {
      try {
        this.#chunked.push(chunk);
      } catch (error) {
        this.#broken = `the chunked body is malformed: ${(error as Error).message}`;
        this.#finish();
      }
      if (this.#chunked.done) this.#finish();
    } else {
      this.#raw.push(chunk);
      this.#rawLength += chunk.length;
      if (this.#length >= 0 && this.#rawLength >= this.#length) this.#finish();
    }
    this.#notify();
  }

  /** The connection ended: the end of a close-delimited body or a hijack, else a cut-short body. */
  #cut(): void {
    if (this.#ended) return;
    if (this.framing === 'chunked') this.#broken = 'the connection ended before the last chunk';
    if (this.framing === 'content-length') {
      this.#broken = `the connection ended after ${this.#rawLength} of ${this.#length} body bytes`;
    }
    this.#finish();
  }

  #finish(): void {
    this.#ended = true;
    this.#notify();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** The body bytes received so far (de-chunked). */
  body(): Buffer {
    if (this.#chunked !== undefined) return Buffer.concat(this.#chunked.chunks);
    const all = Buffer.concat(this.#raw);
    return this.#length >= 0 ? all.subarray(0, this.#length) : all;
  }

  /** True once the body is complete (or the connection is gone). */
  get ended(): boolean {
    return this.#ended;
  }

  header(name: string): string | undefined {
    return getHeader(this.head.headers, name);
  }

  /** Writes stream bytes (after a hijack: stdin). */
  write(bytes: Buffer | string): void {
    this.#socket.write(bytes);
  }

  /** Half-closes our side (FIN) and goes on reading. */
  halfClose(): void {
    this.#socket.end();
  }

  /**
   * Resolves once `condition` holds on the body so far; a clause violation saying `what` was
   * expected, with what came, after `timeoutMs`.
   */
  async waitFor(
    condition: (body: Buffer, ended: boolean) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<Buffer> {
    if (condition(this.body(), this.#ended)) return this.body();
    return new Promise<Buffer>((resolve, reject) => {
      const check = (): void => {
        if (!condition(this.body(), this.#ended)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(this.body());
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        this.record();
        reject(
          new ClauseViolationError(
            `expected ${what} within ${timeoutMs} ms; got ${JSON.stringify(printable(this.body()).slice(0, 400))}${this.#ended ? ' and the stream ended' : ''}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /**
   * Resolves with the whole body once it is complete (for a hijack: the daemon's FIN); a clause
   * violation when the connection ended before the body its framing announced.
   */
  async untilEnd(what = 'the end of the response', timeoutMs = 10_000): Promise<Buffer> {
    const body = await this.waitFor((_body, ended) => ended, what, timeoutMs);
    this.record();
    if (this.#broken !== undefined) throw new ClauseViolationError(`expected ${what}; ${this.#broken}`);
    return body;
  }

  /** Writes the exchange into the clause's transcript (once). */
  record(): void {
    if (this.#recorded) return;
    this.#recorded = true;
    recordExchange(this.#peer, this.#sent, `${headText(this.head)}\n\n${printable(this.body())}`);
  }

  /** Closes the connection (and records the exchange if it was not yet). */
  close(): void {
    this.record();
    this.#socket.destroy();
  }
}

/**
 * A raw HTTP/1.1 client for one Docker Engine API endpoint: one connection per request
 * (`Connection: close`, as a hijack needs anyway), every path prefixed `/v<api>` unless `raw`,
 * and every exchange recorded in the running clause's transcript.
 */
export class EngineClient {
  readonly #address: EngineAddress;
  readonly #peer: string;
  readonly apiVersion: string;
  readonly #open = new Set<Exchange>();

  constructor(address: EngineAddress, peer: string, apiVersion: string) {
    this.#address = address;
    this.#peer = peer;
    this.apiVersion = apiVersion;
  }

  /** The request target for `spec`: `/v<api><path><query>`. */
  target(spec: Pick<RequestSpec, 'path' | 'query' | 'raw'>): string {
    return `${spec.raw === true ? '' : `/v${this.apiVersion}`}${spec.path}${encodeQuery(spec.query)}`;
  }

  /** Sends the request and resolves once the response head has arrived. */
  open(spec: RequestSpec, timeoutMs = 15_000): Promise<Exchange> {
    const target = this.target(spec);
    const body =
      spec.json !== undefined
        ? Buffer.from(JSON.stringify(spec.json))
        : spec.body === undefined
          ? undefined
          : Buffer.from(spec.body);
    const headers: [string, string][] = [['Host', 'api.moby.localhost']];
    headers.push(['User-Agent', 'berth-conformance']);
    if (spec.json !== undefined) headers.push(['Content-Type', 'application/json']);
    for (const [name, value] of spec.headers ?? []) headers.push([name, value]);
    if (body !== undefined) {
      headers.push(
        spec.chunked === true ? ['Transfer-Encoding', 'chunked'] : ['Content-Length', String(body.length)],
      );
    }
    const upgrade = (spec.headers ?? []).some(([name]) => name.toLowerCase() === 'upgrade');
    if (!upgrade) headers.push(['Connection', 'close']);
    const head = buildRequestHead({ method: spec.method, target, version: 'HTTP/1.1', headers });
    const payload =
      body === undefined
        ? Buffer.alloc(0)
        : spec.chunked === true
          ? Buffer.concat([
              Buffer.from(`${body.length.toString(16)}\r\n`),
              body,
              Buffer.from('\r\n0\r\n\r\n'),
            ])
          : body;
    const sent = `${head.toString('latin1').trimEnd().replace(/\r\n/g, '\n')}${body === undefined ? '' : `\n\n${printable(body)}`}`;

    return new Promise<Exchange>((resolve, reject) => {
      const address = this.#address;
      const socket =
        'socketPath' in address
          ? connect({ path: address.socketPath, allowHalfOpen: true })
          : connect({ host: address.host, port: address.port, allowHalfOpen: true });
      const reader = createHeadReader({ kind: 'response', maxBytes: 64 * 1024 });
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        recordExchange(this.#peer, sent, error);
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            new ClauseViolationError(
              `expected a response head to ${spec.method} ${target} within ${timeoutMs} ms; nothing came`,
            ),
          ),
        timeoutMs,
      );
      const onData = (chunk: Buffer): void => {
        const state = reader.push(chunk);
        if (state.state === 'partial') return;
        socket.removeListener('data', onData);
        socket.removeListener('end', onEnd);
        socket.removeListener('error', fail);
        clearTimeout(timer);
        if (state.state === 'error') {
          socket.destroy();
          const error = new ClauseViolationError(
            `the answer to ${spec.method} ${target} is not an HTTP response: ${state.error.message}`,
          );
          recordExchange(this.#peer, sent, error);
          reject(error);
          return;
        }
        socket.on('error', () => undefined);
        const exchange = new Exchange(this.#peer, sent, socket, state.head, spec.method, state.rest);
        this.#open.add(exchange);
        socket.once('close', () => this.#open.delete(exchange));
        resolve(exchange);
      };
      const onEnd = (): void =>
        fail(
          new ClauseViolationError(
            `the connection closed before a response head to ${spec.method} ${target}`,
          ),
        );
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('error', fail);
      socket.write(Buffer.concat([head, payload]));
    });
  }

  /** Sends the request and reads the whole response (closing the connection afterwards). */
  async request(spec: RequestSpec, timeoutMs = 15_000): Promise<Reply> {
    const exchange = await this.open(spec, timeoutMs);
    try {
      const body = await exchange.untilEnd(`the whole answer to ${spec.method} ${spec.path}`, timeoutMs);
      return toReply(exchange, body);
    } finally {
      exchange.close();
    }
  }

  /** Closes every exchange still open (after each test). */
  closeAll(): void {
    for (const exchange of this.#open) exchange.close();
  }
}

function toReply(exchange: Exchange, body: Buffer): Reply {
  const text = body.toString('utf8');
  return {
    status: exchange.head.status,
    reason: exchange.head.reason,
    headers: exchange.head.headers,
    header: (name) => exchange.header(name),
    framing: exchange.framing,
    body,
    text,
    json<T>(): T {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ClauseViolationError(
          `expected a JSON body (status ${exchange.head.status}); got ${JSON.stringify(text.slice(0, 200))}`,
        );
      }
    },
  };
}
