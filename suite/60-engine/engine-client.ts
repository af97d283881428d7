import { Buffer } from 'node:buffer';
import { getHeader, type HeaderList } from '../../protocol/header-list.js';
import { buildRequestHead } from '../../protocol/http-head-builder.js';
import type { ResponseHead } from '../../protocol/http-head.js';
import { encodeChunked } from '../support/http/chunked-decoder.js';
import type { Framing } from '../support/http/message-reader.js';
import { RawConnection } from '../support/http/raw-connection.js';
import { ClauseViolationError, isClauseViolation } from '../support/suite-errors.js';
import { printable, recordExchange } from '../support/transcript.js';
import type { Target } from '../targets/target.js';

type EngineSession = Awaited<ReturnType<NonNullable<Target['engine']>['open']>>;
export type EngineAddress = EngineSession['address'];

/** Query values: booleans are sent as 1 and 0, objects (filters) as JSON. */
export type QueryValue = string | number | boolean | Readonly<Record<string, unknown>>;

export type { Framing };

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
 * One exchange on its own connection (the suite's raw client), read as it streams: the response
 * head, then the body as its framing delimits it (for a hijack, the raw stream until the daemon's
 * FIN). The exchange is written into the clause's transcript once it finishes, times out or is
 * closed.
 */
export class Exchange {
  readonly head: ResponseHead;
  readonly framing: Framing;
  readonly #connection: RawConnection;
  readonly #sent: string;
  readonly #peer: string;
  #recorded = false;

  constructor(peer: string, sent: string, connection: RawConnection, head: ResponseHead, framing: Framing) {
    this.#peer = peer;
    this.#sent = sent;
    this.#connection = connection;
    this.head = head;
    this.framing = framing;
  }

  /** The body bytes received so far (de-chunked, up to the announced length). */
  body(): Buffer {
    return this.#connection.body();
  }

  /** True once the body is complete (or the connection is gone). */
  get ended(): boolean {
    return this.#connection.settled;
  }

  /** Why the body is incomplete although the connection ended (a length or chunks cut short). */
  #broken(): string | undefined {
    const answer = this.#connection.answer;
    if (answer === undefined || answer.complete) return undefined;
    return answer.defects.length > 0
      ? answer.defects.join('; ')
      : `the connection ${this.#connection.finished ? 'ended' : 'is open'} before the body was complete`;
  }

  header(name: string): string | undefined {
    return getHeader(this.head.headers, name);
  }

  /** Writes stream bytes (after a hijack: stdin). */
  write(bytes: Buffer | string): void {
    this.#connection.send(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  }

  /** Half-closes our side (FIN) and goes on reading. */
  halfClose(): void {
    this.#connection.halfClose();
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
    try {
      return await this.#connection.untilBody(condition, what, timeoutMs);
    } catch (error) {
      this.record();
      if (!isClauseViolation(error)) throw error;
      throw new ClauseViolationError(
        `expected ${what} within ${timeoutMs} ms; got ${JSON.stringify(printable(this.body()).slice(0, 400))}${this.ended ? ' and the stream ended' : ''}`,
        { cause: error },
      );
    }
  }

  /**
   * Resolves with the whole body once it is complete (for a hijack: the daemon's FIN); a clause
   * violation when the connection ended before the body its framing announced.
   */
  async untilEnd(what = 'the end of the response', timeoutMs = 10_000): Promise<Buffer> {
    const body = await this.waitFor((_body, ended) => ended, what, timeoutMs);
    this.record();
    const broken = this.#broken();
    if (broken !== undefined) throw new ClauseViolationError(`expected ${what}; ${broken}`);
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
    this.#connection.close();
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
  async open(spec: RequestSpec, timeoutMs = 15_000): Promise<Exchange> {
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
    const payload = body === undefined ? Buffer.alloc(0) : spec.chunked === true ? encodeChunked(body) : body;
    const sent = `${head.toString('latin1').trimEnd().replace(/\r\n/g, '\n')}${body === undefined ? '' : `\n\n${printable(body)}`}`;

    const what = `${spec.method} ${target}`;
    let connection: RawConnection;
    try {
      connection = await RawConnection.open(this.#address, { peer: this.#peer, transcript: false });
    } catch (error) {
      recordExchange(this.#peer, sent, error as Error);
      throw error;
    }
    try {
      connection.send(Buffer.concat([head, payload]));
      const answer = await connection.untilHead(timeoutMs);
      if (answer.status === undefined || answer.defects.length > 0) {
        throw new ClauseViolationError(
          `the answer to ${what} is not an HTTP response: ${answer.defects.join('; ')}`,
        );
      }
    } catch (error) {
      connection.close();
      recordExchange(this.#peer, sent, error as Error);
      throw error;
    }
    const { head: tolerant, framing } = connection.answer!;
    const responseHead: ResponseHead = {
      version: tolerant.version,
      status: tolerant.status!,
      reason: tolerant.reason,
      headers: tolerant.headers,
    };
    const exchange = new Exchange(this.#peer, sent, connection, responseHead, framing);
    this.#open.add(exchange);
    connection.socket.once('close', () => this.#open.delete(exchange));
    return exchange;
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
