import { Buffer } from 'node:buffer';
import { ChunkedDecoder } from './chunked-decoder.js';
import {
  findHeadEnd,
  parseTolerantHead,
  type HeadKind,
  type TolerantHead,
  type TolerantRequestHead,
  type TolerantResponseHead,
} from './tolerant-head.js';

/**
 * How a message body is delimited (RFC 9112 6.3): a length, chunks, the peer's close (a response
 * without either, such as dockerd's legacy 200 raw-stream), the stream after a 101 (`hijack`), or
 * nothing at all (a request without a body; HEAD, 1xx, 204 and 304 answers).
 */
export type Framing = 'content-length' | 'chunked' | 'close' | 'hijack' | 'none';

export interface FramingOf {
  readonly framing: Framing;
  /** The announced length (`content-length` only, else 0). */
  readonly length: number;
  /** Framing headers that are odd or contradict each other. */
  readonly defects: readonly string[];
}

/** The codings of Transfer-Encoding, lower-cased, in order; undefined when there is none. */
function codings(head: TolerantHead): string[] | undefined {
  const values = head.values('transfer-encoding');
  if (values.length === 0) return undefined;
  return values
    .join(',')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
}

/** The one Content-Length every field and list member agrees on; undefined when there is none. */
function contentLength(head: TolerantHead, defects: string[]): number | 'invalid' | undefined {
  const values = head.values('content-length');
  if (values.length === 0) return undefined;
  const members = values.flatMap((value) => value.split(',').map((member) => member.trim()));
  const distinct = [...new Set(members)];
  if (distinct.length !== 1 || !/^[0-9]{1,15}$/.test(distinct[0]!)) {
    defects.push(`an invalid Content-Length: ${JSON.stringify(values)}`);
    return 'invalid';
  }
  if (members.length > 1) defects.push(`Content-Length repeated: ${JSON.stringify(values)}`);
  return Number(distinct[0]);
}

/** Transfer-Encoding first (RFC 9112 6.3 3.), then Content-Length; `fallback` when neither is usable. */
function bodyFraming(head: TolerantHead, fallback: 'close' | 'none', defects: string[]): FramingOf {
  const te = codings(head);
  const length = contentLength(head, defects);
  if (te !== undefined) {
    if (length !== undefined) defects.push('both Transfer-Encoding and Content-Length');
    if (te.includes('chunked')) {
      if (te.at(-1) !== 'chunked') defects.push(`chunked is not the final coding: ${te.join(', ')}`);
      return { framing: 'chunked', length: 0, defects };
    }
    defects.push(`a Transfer-Encoding without chunked: ${te.join(', ')}`);
    return { framing: fallback, length: 0, defects };
  }
  if (typeof length === 'number') return { framing: 'content-length', length, defects };
  return { framing: fallback, length: 0, defects };
}

/** How the body of a response to `method` is delimited. */
export function responseFraming(method: string | undefined, head: TolerantResponseHead): FramingOf {
  const { status } = head;
  if (status === undefined) return { framing: 'close', length: 0, defects: [] };
  if (
    method === 'HEAD' ||
    (status >= 100 && status < 200 && status !== 101) ||
    status === 204 ||
    status === 304
  ) {
    return { framing: 'none', length: 0, defects: [] };
  }
  if (status === 101) return { framing: 'hijack', length: 0, defects: [] };
  return bodyFraming(head, 'close', []);
}

/** How the body of a request is delimited (none without Transfer-Encoding or Content-Length). */
export function requestFraming(head: TolerantRequestHead): FramingOf {
  return bodyFraming(head, 'none', []);
}

/** Reads one body by its framing, as it arrives. */
class BodyReader {
  readonly #framing: Framing;
  readonly #length: number;
  readonly #chunked: ChunkedDecoder | undefined;
  readonly #parts: Buffer[] = [];
  #received = 0;
  #rest: Buffer = Buffer.alloc(0);
  #ended = false;
  readonly defects: string[] = [];

  constructor(framing: FramingOf) {
    this.#framing = framing.framing;
    this.#length = framing.length;
    this.#chunked = framing.framing === 'chunked' ? new ChunkedDecoder() : undefined;
  }

  get complete(): boolean {
    switch (this.#framing) {
      case 'none':
        return true;
      case 'content-length':
        return this.#received >= this.#length;
      case 'chunked':
        return this.#chunked!.done;
      default:
        return this.#ended;
    }
  }

  push(bytes: Buffer): void {
    if (this.#chunked !== undefined) return this.#chunked.push(bytes);
    if (this.complete) {
      this.#rest = this.#rest.length === 0 ? bytes : Buffer.concat([this.#rest, bytes]);
      return;
    }
    const take =
      this.#framing === 'content-length'
        ? Math.min(bytes.length, this.#length - this.#received)
        : bytes.length;
    this.#parts.push(bytes.subarray(0, take));
    this.#received += take;
    if (take < bytes.length) this.#rest = bytes.subarray(take);
  }

  end(): void {
    if (this.#ended) return;
    if (this.#framing === 'content-length' && this.#received < this.#length) {
      this.defects.push(`the body ended after ${this.#received} of ${this.#length} bytes`);
    }
    this.#chunked?.end();
    this.#ended = true;
  }

  body(): Buffer {
    if (this.#chunked !== undefined) return this.#chunked.body();
    if (this.#parts.length > 1) this.#parts.splice(0, this.#parts.length, Buffer.concat(this.#parts));
    return this.#parts[0] ?? Buffer.alloc(0);
  }

  rest(): Buffer {
    return this.#chunked !== undefined ? this.#chunked.rest() : this.#rest;
  }

  allDefects(): readonly string[] {
    return this.#chunked === undefined ? this.defects : [...this.#chunked.defects, ...this.defects];
  }
}

/**
 * Reads one HTTP/1.1 message off a byte stream as it arrives, tolerantly: the head (with the
 * tolerant parser), then the body by its framing. A response reader skips interim 1xx answers
 * (a `100 Continue`), keeping them in `interim`. It never throws; `defects` says what was odd.
 */
export class MessageReader<H extends TolerantHead> {
  readonly kind: HeadKind;
  readonly #method: () => string | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #searched = 0;
  #head: H | undefined;
  readonly #interim: H[] = [];
  #framing: FramingOf | undefined;
  #body: BodyReader | undefined;
  readonly #afterHead: Buffer[] = [];
  #ended = false;

  constructor(kind: HeadKind, method: () => string | undefined = () => undefined) {
    this.kind = kind;
    this.#method = method;
  }

  /** The (final) head, once it has arrived. */
  get head(): H | undefined {
    return this.#head;
  }

  /** Interim 1xx answers before the final one (a response reader only). */
  get interim(): readonly H[] {
    return this.#interim;
  }

  get framing(): Framing | undefined {
    return this.#framing?.framing;
  }

  /** True once the message is whole by its framing (close and hijack: once the input ended). */
  get complete(): boolean {
    return this.#body?.complete ?? false;
  }

  /** True once the input ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Everything odd about the message so far: head, framing and body. */
  get defects(): readonly string[] {
    const head = this.#head === undefined && this.#ended ? ['the input ended before a complete head'] : [];
    return [
      ...this.#interim.flatMap((interim) => interim.defects),
      ...(this.#head?.defects ?? []),
      ...(this.#framing?.defects ?? []),
      ...(this.#body?.allDefects() ?? []),
      ...head,
    ];
  }

  /** The body decoded so far (de-chunked; up to the announced length). */
  body(): Buffer {
    return this.#body?.body() ?? Buffer.alloc(0);
  }

  /** Every byte after the final head, as received (body framing and anything past it included). */
  afterHead(): Buffer {
    if (this.#afterHead.length > 1)
      this.#afterHead.splice(0, this.#afterHead.length, Buffer.concat(this.#afterHead));
    return this.#afterHead[0] ?? Buffer.alloc(0);
  }

  /** Bytes past the end of the message (pipelined or stray bytes); before the head: all of them. */
  rest(): Buffer {
    return this.#body?.rest() ?? this.#buffer;
  }

  push(chunk: Uint8Array): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#body !== undefined) {
      this.#afterHead.push(bytes);
      this.#body.push(bytes);
      return;
    }
    this.#buffer = this.#buffer.length === 0 ? bytes : Buffer.concat([this.#buffer, bytes]);
    this.#readHeads();
  }

  /** The input ended (FIN, reset or close). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#body?.end();
  }

  #readHeads(): void {
    while (this.#body === undefined) {
      const end = findHeadEnd(this.#buffer, this.#searched);
      if (end === undefined) {
        this.#searched = Math.max(0, this.#buffer.length - 3);
        return;
      }
      const head = parseTolerantHead(this.kind, this.#buffer.subarray(0, end)) as H;
      const rest = this.#buffer.subarray(end);
      this.#buffer = rest;
      this.#searched = 0;
      const status = head.kind === 'response' ? head.status : undefined;
      if (status !== undefined && status >= 100 && status < 200 && status !== 101) {
        this.#interim.push(head);
        continue;
      }
      this.#head = head;
      this.#framing = head.kind === 'response' ? responseFraming(this.#method(), head) : requestFraming(head);
      this.#body = new BodyReader(this.#framing);
      this.#buffer = Buffer.alloc(0);
      if (rest.length > 0) {
        this.#afterHead.push(rest);
        this.#body.push(rest);
      }
      if (this.#ended) this.#body.end();
    }
  }
}

/** A reader for the answer to a request whose method `method` gives (HEAD answers have no body). */
export function createResponseReader(
  method: () => string | undefined = () => undefined,
): MessageReader<TolerantResponseHead> {
  return new MessageReader<TolerantResponseHead>('response', method);
}

export function createRequestReader(): MessageReader<TolerantRequestHead> {
  return new MessageReader<TolerantRequestHead>('request');
}
