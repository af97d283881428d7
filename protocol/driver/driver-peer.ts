import type { Readable, Writable } from 'node:stream';
import {
  DEFAULT_MAX_LINE_BYTES,
  DriverBadAnswerError,
  DriverMessageError,
  DriverUnknownOpError,
  DriverUnknownStreamError,
  STREAM_OPS,
  badValueInAnswer,
  decodeError,
  decodeValue,
  encodeError,
  encodeMessage,
  encodeValue,
  isDriverRequest,
  parseMessage,
  stringArg,
  type DriverRequest,
  type DriverResponse,
  type JsonObject,
  type JsonValue,
  type StreamExporter,
  type StreamImporter,
} from './driver-protocol.js';
import { DriverClosedError, DriverLineTooLongError, DriverTimeoutError } from './driver-errors.js';

/** One finished exchange, for transcripts. */
export interface DriverExchange {
  /** `outgoing`: this side asked and the peer answered; `incoming`: the peer asked, this side answered. */
  readonly direction: 'outgoing' | 'incoming';
  readonly op: string;
  readonly requestLine: string;
  /** The answer line, or the error that ended the exchange without one (timeout, exit, ...). */
  readonly reply: string | Error;
}

/** Serves one operation: gets the request's args, returns a value (encoded by the peer) or throws. */
export type DriverHandler = (args: JsonObject, op: string) => unknown;

export interface DriverRequestOptions {
  /** Deadline for this request (default: the peer's `requestTimeoutMs`; 0 = none). */
  readonly timeoutMs?: number;
  /** Whether the exchange is reported to `onExchange` (default true). */
  readonly record?: boolean;
}

export interface DriverPeerOptions {
  /** Where the peer's lines come from (a child's stdout, or process.stdin in a driver). */
  readonly input: Readable;
  /** Where this side's lines go (a child's stdin, or process.stdout in a driver). */
  readonly output: Writable;
  /** Longest line accepted, in UTF-8 bytes without its ending (default 16 MiB). */
  readonly maxLineBytes?: number;
  /** Default deadline of each request in ms; 0 (the default) waits for ever. */
  readonly requestTimeoutMs?: number;
  /** Prefix of the ids of streams this side hands out (`s` for the suite, `d` for a driver). */
  readonly streamPrefix?: string;
  /** Called after each finished exchange. */
  readonly onExchange?: (exchange: DriverExchange) => void;
  /**
   * A malformed or over-long line from the peer. When given, the line is reported here and
   * skipped; when absent, the peer is closed with the error (every waiting request fails).
   */
  readonly onMalformedLine?: (error: Error) => void;
  /**
   * The input ended, or the input or output failed. When given, the owner decides when to close
   * (a connection waits for the child's exit status); when absent, the peer closes at once.
   */
  readonly onTransportEnd?: (reason: Error) => void;
  /** Text attached to failures (a driver's stderr tail). */
  readonly diagnostics?: () => string;
}

interface Pending {
  readonly op: string;
  readonly line: string;
  readonly record: boolean;
  readonly resolve: (result: JsonValue) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** §2: a line of nothing but spaces, tabs and `\r` is skipped. */
const BLANK_LINE = /^[ \t\r]*$/;

/** How many timed-out request ids are remembered, so their late answers are dropped quietly. */
const LATE_IDS = 1024;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A bidirectional peer of the driver protocol over a pair of byte streams: sends requests and
 * matches their answers by id (with a deadline each), serves the other side's requests with
 * registered handlers (both directions can be in flight at once), hands out and pulls streams,
 * splits the input into lines (partial and very long lines included) and respects backpressure
 * on the output. The same class runs on the suite side and in the reference drivers.
 */
export class DriverPeer implements StreamExporter, StreamImporter {
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #maxLineBytes: number;
  readonly #requestTimeoutMs: number;
  readonly #streamPrefix: string;
  readonly #options: DriverPeerOptions;

  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #late = new Set<number>();
  readonly #handlers = new Map<string, DriverHandler>();
  #nextStream = 1;
  readonly #streams = new Map<string, AsyncIterator<unknown>>();

  #partial = '';
  /** The UTF-8 length of `#partial`. */
  #partialBytes = 0;
  /** Skipping the rest of an over-long line. */
  #discarding = false;
  #blocked = false;
  readonly #queue: string[] = [];

  #closeError: Error | undefined;
  readonly #closed: Promise<Error>;
  #resolveClosed: (error: Error) => void = () => undefined;

  constructor(options: DriverPeerOptions) {
    this.#options = options;
    this.#input = options.input;
    this.#output = options.output;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 0;
    this.#streamPrefix = options.streamPrefix ?? 's';
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));

    this.#input.setEncoding('utf8');
    this.#input.on('data', this.#onData);
    this.#input.on('end', this.#onInputEnd);
    this.#input.on('error', this.#onInputError);
    this.#output.on('error', this.#onOutputError);

    this.handle(STREAM_OPS.next, (args, op) => this.#streamNext(stringArg(op, args, 'stream')));
    this.handle(STREAM_OPS.cancel, (args, op) => this.#streamCancel(stringArg(op, args, 'stream')));
  }

  /** Resolves with the reason once the peer is closed. */
  get closed(): Promise<Error> {
    return this.#closed;
  }

  /** The reason the peer closed, or undefined while it is open. */
  get closeReason(): Error | undefined {
    return this.#closeError;
  }

  /** Requests waiting for an answer. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Streams this side handed out that the peer has not finished or cancelled. */
  get openStreamCount(): number {
    return this.#streams.size;
  }

  /** Registers the handler of an operation the peer may request. */
  handle(op: string, handler: DriverHandler): void {
    this.#handlers.set(op, handler);
  }

  /** Sends a request and resolves with its raw result (decode it with `decode`), or rejects. */
  request(op: string, args: JsonObject, options: DriverRequestOptions = {}): Promise<JsonValue> {
    if (this.#closeError !== undefined) return Promise.reject(this.#closeError);
    const id = this.#nextId++;
    const line = encodeMessage({ id, op, args });
    return new Promise<JsonValue>((resolve, reject) => {
      const pending: Pending = { op, line, record: options.record ?? true, resolve, reject };
      const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
      if (timeoutMs > 0) pending.timer = setTimeout(() => this.#expire(id, timeoutMs), timeoutMs).unref();
      this.#pending.set(id, pending);
      this.#write(line);
    });
  }

  /** A value as JSON; streams in it are handed out by this side. */
  encode(value: unknown): JsonValue {
    return encodeValue(value, this);
  }

  /** A JSON value as the caller sees it; streams in it are pulled from the peer. */
  decode(value: JsonValue): unknown {
    return decodeValue(value, this);
  }

  /** StreamExporter: registers a stream this side hands out. */
  openStream(iterable: AsyncIterable<unknown>): string {
    const id = `${this.#streamPrefix}${this.#nextStream++}`;
    this.#streams.set(id, iterable[Symbol.asyncIterator]());
    return id;
  }

  /** StreamImporter: a stream the peer handed out, pulled one item per `stream.next`. */
  remoteStream(id: string): AsyncIterable<unknown> {
    const request = (op: string): Promise<JsonValue> => this.request(op, { stream: id });
    const decode = (value: JsonValue): unknown => decodeValue(value, this, badValueInAnswer);
    let iterated = false;
    return {
      [Symbol.asyncIterator](): AsyncIterator<unknown> {
        if (iterated) throw new TypeError(`remote stream '${id}' can be iterated only once`);
        iterated = true;
        let finished = false;
        return {
          async next(): Promise<IteratorResult<unknown>> {
            if (finished) return { done: true, value: undefined };
            let result: JsonValue;
            try {
              result = await request(STREAM_OPS.next);
            } catch (error) {
              finished = true;
              throw error;
            }
            if (!isObject(result) || typeof result.done !== 'boolean') {
              finished = true;
              throw new DriverBadAnswerError(
                `${STREAM_OPS.next} must answer {"done": boolean, "value"?}, got ${JSON.stringify(result)}`,
              );
            }
            if (result.done) {
              finished = true;
              return { done: true, value: undefined };
            }
            return { done: false, value: decode(result.value ?? null) };
          },
          async return(): Promise<IteratorResult<unknown>> {
            if (!finished) {
              finished = true;
              await request(STREAM_OPS.cancel).catch(() => undefined);
            }
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  /**
   * Closes the peer: every waiting request fails with `reason`, handed-out streams are ended,
   * and nothing more is read or written. Idempotent; the first reason wins.
   */
  close(reason: Error): void {
    if (this.#closeError !== undefined) return;
    this.#closeError = reason;
    this.#input.off('data', this.#onData);
    this.#queue.length = 0;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      this.#report('outgoing', pending, reason);
      pending.reject(reason);
    }
    for (const iterator of this.#streams.values()) {
      void Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => undefined);
    }
    this.#streams.clear();
    this.#resolveClosed(reason);
  }

  #diagnostics(): string {
    return this.#options.diagnostics?.() ?? '';
  }

  #report(direction: DriverExchange['direction'], pending: Pending, reply: string | Error): void {
    if (pending.record)
      this.#options.onExchange?.({ direction, op: pending.op, requestLine: pending.line, reply });
  }

  #expire(id: number, timeoutMs: number): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    this.#late.add(id);
    if (this.#late.size > LATE_IDS) this.#late.delete(this.#late.values().next().value as number);
    const error = new DriverTimeoutError(pending.op, id, timeoutMs, this.#diagnostics());
    this.#report('outgoing', pending, error);
    pending.reject(error);
  }

  // Output ------------------------------------------------------------------------------------

  #write(line: string): void {
    if (this.#closeError !== undefined) return;
    const data = `${line}\n`;
    if (this.#blocked) {
      this.#queue.push(data);
      return;
    }
    if (!this.#output.write(data)) {
      this.#blocked = true;
      this.#output.once('drain', this.#drain);
    }
  }

  /** Backpressure: lines queued while the output was full go out as it drains. */
  readonly #drain = (): void => {
    this.#blocked = false;
    while (this.#queue.length > 0 && this.#closeError === undefined) {
      const data = this.#queue.shift() as string;
      if (!this.#output.write(data)) {
        this.#blocked = true;
        this.#output.once('drain', this.#drain);
        return;
      }
    }
  };

  // Input -------------------------------------------------------------------------------------

  /**
   * Framing (docs/driver-protocol.md §2): lines end at `\n`, a `\r` before it belongs to the
   * ending, and the cap counts a line's UTF-8 bytes without its ending. The input is decoded as
   * UTF-8 (`setEncoding`), so a character split across chunks arrives whole.
   */
  readonly #onData = (chunk: string): void => {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, end);
      start = end + 1;
      if (this.#discarding) {
        this.#discarding = false;
        this.#partial = '';
        this.#partialBytes = 0;
        continue;
      }
      const whole = this.#partial === '' ? piece : this.#partial + piece;
      const wholeBytes = this.#partialBytes + Buffer.byteLength(piece);
      this.#partial = '';
      this.#partialBytes = 0;
      const crlf = whole.endsWith('\r');
      const line = crlf ? whole.slice(0, -1) : whole;
      if (wholeBytes - (crlf ? 1 : 0) > this.#maxLineBytes) this.#tooLong(line);
      else this.#onLine(line);
      if (this.#closeError !== undefined) return;
    }
    if (start < chunk.length && !this.#discarding) {
      const rest = chunk.slice(start);
      this.#partial += rest;
      this.#partialBytes += Buffer.byteLength(rest);
      // One byte over the cap may still be the `\r` of a `\r\n` ending.
      if (this.#partialBytes > this.#maxLineBytes + 1) {
        this.#tooLong(this.#partial);
        this.#partial = '';
        this.#partialBytes = 0;
        this.#discarding = true;
      }
    }
  };

  #tooLong(line: string): void {
    this.#malformed(new DriverLineTooLongError(this.#maxLineBytes, line.slice(0, 80), this.#diagnostics()));
  }

  #malformed(error: Error): void {
    if (this.#options.onMalformedLine !== undefined) this.#options.onMalformedLine(error);
    else this.close(error);
  }

  #onLine(line: string): void {
    if (BLANK_LINE.test(line)) return; // §2: blank lines carry nothing
    let message;
    try {
      message = parseMessage(line);
    } catch (error) {
      const problem = error instanceof DriverMessageError ? error.problem : String(error);
      this.#malformed(new DriverMessageError(line, problem, { cause: error }, this.#diagnostics()));
      return;
    }
    if (isDriverRequest(message)) void this.#serve(message, line);
    else this.#settle(message, line);
  }

  #settle(response: DriverResponse, line: string): void {
    const pending = this.#pending.get(response.id);
    if (pending === undefined) {
      // A late answer to a request that timed out is expected now and then: drop it.
      if (this.#late.delete(response.id)) return;
      this.#malformed(
        new DriverMessageError(
          line,
          `answers request ${response.id}, which no request is waiting for`,
          undefined,
          this.#diagnostics(),
        ),
      );
      return;
    }
    this.#pending.delete(response.id);
    clearTimeout(pending.timer);
    this.#report('outgoing', pending, line);
    if (response.ok) pending.resolve(response.result);
    else pending.reject(decodeError(response.error));
  }

  async #serve(request: DriverRequest, line: string): Promise<void> {
    let reply: DriverResponse;
    try {
      const handler = this.#handlers.get(request.op);
      if (handler === undefined) throw new DriverUnknownOpError(request.op);
      const result = await handler(request.args, request.op);
      reply = { id: request.id, ok: true, result: this.encode(result) };
    } catch (error) {
      reply = { id: request.id, ok: false, error: encodeError(error) };
    }
    if (this.#closeError !== undefined) return;
    const replyLine = encodeMessage(reply);
    this.#write(replyLine);
    this.#options.onExchange?.({
      direction: 'incoming',
      op: request.op,
      requestLine: line,
      reply: replyLine,
    });
  }

  async #streamNext(id: string): Promise<unknown> {
    const iterator = this.#streams.get(id);
    if (iterator === undefined) throw new DriverUnknownStreamError(id);
    let step: IteratorResult<unknown>;
    try {
      step = await iterator.next();
    } catch (error) {
      this.#streams.delete(id);
      throw error;
    }
    if (step.done === true) {
      this.#streams.delete(id);
      return { done: true };
    }
    return { done: false, value: step.value };
  }

  async #streamCancel(id: string): Promise<void> {
    const iterator = this.#streams.get(id);
    this.#streams.delete(id);
    await iterator?.return?.();
  }

  // Transport end -----------------------------------------------------------------------------

  #transportEnded(reason: Error): void {
    if (this.#options.onTransportEnd !== undefined) this.#options.onTransportEnd(reason);
    else this.close(reason);
  }

  readonly #onInputEnd = (): void => {
    // A last line without its newline still counts.
    const last = this.#discarding ? '' : this.#partial;
    this.#partial = '';
    this.#partialBytes = 0;
    if (last !== '' && this.#closeError === undefined) this.#onLine(last);
    this.#transportEnded(
      new DriverClosedError('the peer closed its output (end of input)', this.#diagnostics()),
    );
  };

  readonly #onInputError = (error: Error): void => {
    this.#transportEnded(
      new DriverClosedError(`reading from the peer failed: ${error.message}`, this.#diagnostics(), {
        cause: error,
      }),
    );
  };

  readonly #onOutputError = (error: Error): void => {
    this.#transportEnded(
      new DriverClosedError(`writing to the peer failed: ${error.message}`, this.#diagnostics(), {
        cause: error,
      }),
    );
  };
}
