import type { Readable, Writable } from 'node:stream';
import { errorFromWire, errorToWire, fromWire, inAnswer, toWire, type StreamPort } from './driver-codec.js';
import {
  DriverClosedError,
  DriverLineTooLongError,
  DriverMalformedLineError,
  DriverTimeoutError,
  DriverUnknownOpError,
  DriverUnknownStreamError,
} from './driver-errors.js';
import { LineReader } from './driver-line-reader.js';
import {
  OPS,
  answerLine,
  readArgs,
  readLine,
  requestLine,
  type JsonObject,
  type JsonValue,
  type LineVerdict,
  type WireError,
} from './driver-wire.js';

/** §2: the longest line, in bytes without its ending. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** One finished exchange, for transcripts. */
export interface DriverExchange {
  /** `suite`: the suite asked and the driver answered; `driver`: a callback the suite answered. */
  readonly asker: 'suite' | 'driver';
  readonly op: string;
  readonly requestLine: string;
  /** The answer line, or what ended the exchange without one (a timeout, the driver's exit). */
  readonly reply: string | Error;
}

/** Serves one kind of driver request (§8, §9): the result is sent as JSON (§10); a throw, as an error (§11). */
export type CallbackHandler = (args: JsonObject, op: string) => unknown;

export interface RequestOptions {
  /** This request's deadline in ms (default: the channel's; 0: none). */
  readonly timeoutMs?: number;
  /** Whether the exchange goes to `onExchange` (default true). */
  readonly record?: boolean;
}

export interface DriverChannelOptions {
  /** The driver's stdout. */
  readonly input: Readable;
  /** The driver's stdin. */
  readonly output: Writable;
  /** §2: the longest line accepted, in bytes (default 16 MiB). */
  readonly maxLineBytes?: number;
  /** Default deadline of each request in ms; 0 (the default) waits for ever. */
  readonly timeoutMs?: number;
  readonly onExchange?: (exchange: DriverExchange) => void;
  /** The driver's stderr tail, attached to every failure. */
  readonly stderrTail?: () => string;
  /**
   * The driver's stdout ended or a pipe failed (`reason` without the stderr tail). When given, the
   * owner closes the channel when it knows why (a connection waits for the exit status); when not,
   * the channel closes at once.
   */
  readonly onTransportEnd?: (reason: Error) => void;
}

interface Waiting {
  readonly op: string;
  readonly line: string;
  readonly record: boolean;
  readonly resolve: (result: JsonValue) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** How many timed-out request ids are kept, so a late answer to one is dropped (§12). */
const LATE_ANSWERS_KEPT = 1024;

/**
 * The suite's end of a conversation with a driver (docs/driver-protocol.md §2-§3, §8-§9, §12):
 * numbers the suite's requests from 1 and matches answers to them (each with a deadline), answers
 * the driver's callbacks while requests of its own are in flight, hands out and pulls streams, and
 * writes lines in order, holding them while the driver's stdin is full. Any protocol violation
 * closes it: every waiting request fails with the violation, as does every later one.
 */
export class DriverChannel implements StreamPort {
  readonly #options: DriverChannelOptions;
  readonly #output: Writable;
  readonly #maxLineBytes: number;
  readonly #reader: LineReader;

  #lastRequestId = 0;
  readonly #waiting = new Map<number, Waiting>();
  readonly #timedOut = new Set<number>();
  readonly #callbacks = new Map<string, CallbackHandler>();
  #lastStreamId = 0;
  readonly #shared = new Map<string, AsyncIterator<unknown>>();

  #unsent: string[] = [];
  #flushing = false;
  #stopWaitingForDrain: (() => void) | undefined;

  #closeReason: Error | undefined;
  #announceClose: (reason: Error) => void = () => undefined;
  readonly #closed = new Promise<Error>((resolve) => (this.#announceClose = resolve));

  constructor(options: DriverChannelOptions) {
    this.#options = options;
    this.#output = options.output;
    this.#maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.#reader = new LineReader({
      maxLineBytes: this.#maxLineBytes,
      onLine: (text) => this.#onLine(text),
      onTooLong: (head) =>
        this.close(new DriverLineTooLongError(this.#maxLineBytes, head, this.#stderrTail())),
    });
    options.input.on('data', (chunk: Buffer | string) =>
      this.#reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk),
    );
    options.input.once('end', () => {
      this.#reader.end();
      this.#transportEnded('the driver closed its stdout');
    });
    options.input.on('error', (error: Error) =>
      this.#transportEnded(`reading from the driver failed: ${error.message}`, error),
    );
    this.#output.on('error', (error: Error) =>
      this.#transportEnded(`writing to the driver failed: ${error.message}`, error),
    );

    // §9: the suite serves the streams it hands out.
    this.serve(OPS.stream.next, (args, op) => this.#nextOf(readArgs(op, args).text('stream')));
    this.serve(OPS.stream.cancel, (args, op) => this.#cancel(readArgs(op, args).text('stream')));
  }

  /** Resolves with the reason once the channel is closed. */
  get closed(): Promise<Error> {
    return this.#closed;
  }

  /** Why the channel is closed; undefined while it is open. */
  get closeReason(): Error | undefined {
    return this.#closeReason;
  }

  /** Requests of the suite's still waiting for their answer. */
  get pendingCount(): number {
    return this.#waiting.size;
  }

  /** Streams the suite handed out that the driver has neither finished nor cancelled. */
  get sharedStreamCount(): number {
    return this.#shared.size;
  }

  /** Serves `op` when the driver requests it. */
  serve(op: string, handler: CallbackHandler): void {
    this.#callbacks.set(op, handler);
  }

  /** Sends a request; resolves with its `result`, rejects with its error (§11) or a failure (§12). */
  request(op: string, args: JsonObject, options: RequestOptions = {}): Promise<JsonValue> {
    if (this.#closeReason !== undefined) return Promise.reject(this.#closeReason);
    this.#lastRequestId += 1;
    const id = this.#lastRequestId;
    const line = requestLine(id, op, args);
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 0;
    const answer = new Promise<JsonValue>((resolve, reject) => {
      const waiting: Waiting = { op, line, record: options.record ?? true, resolve, reject };
      if (timeoutMs > 0) waiting.timer = setTimeout(() => this.#giveUp(id, timeoutMs), timeoutMs).unref();
      this.#waiting.set(id, waiting);
    });
    this.#send(line);
    return answer;
  }

  /** StreamPort: hands a stream of the suite's out as `s1`, `s2`, ... */
  share(stream: AsyncIterable<unknown>): string {
    this.#lastStreamId += 1;
    const id = `s${this.#lastStreamId}`;
    this.#shared.set(id, stream[Symbol.asyncIterator]());
    return id;
  }

  /** StreamPort: a stream the driver handed out, pulled with `stream.next` as it is read. */
  pull(id: string): AsyncIterable<unknown> {
    return new PulledStream(this, id);
  }

  /**
   * Closes the channel for good: every waiting request fails with `reason`, the streams the suite
   * handed out are ended, nothing more is read or sent. The first reason stays.
   */
  close(reason: Error): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#reader.stop();
    this.#unsent = [];
    this.#stopWaitingForDrain?.();
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const request of waiting) {
      clearTimeout(request.timer);
      this.#record('suite', request, reason);
      request.reject(reason);
    }
    const shared = [...this.#shared.values()];
    this.#shared.clear();
    for (const iterator of shared) {
      void Promise.resolve()
        .then(() => iterator.return?.())
        .catch(() => undefined);
    }
    this.#announceClose(reason);
  }

  #stderrTail(): string {
    return this.#options.stderrTail?.() ?? '';
  }

  #record(asker: DriverExchange['asker'], request: Waiting, reply: string | Error): void {
    if (request.record)
      this.#options.onExchange?.({ asker, op: request.op, requestLine: request.line, reply });
  }

  #giveUp(id: number, timeoutMs: number): void {
    const request = this.#waiting.get(id);
    if (request === undefined) return;
    this.#waiting.delete(id);
    this.#timedOut.add(id);
    if (this.#timedOut.size > LATE_ANSWERS_KEPT) {
      const [oldest] = this.#timedOut;
      this.#timedOut.delete(oldest!);
    }
    const error = new DriverTimeoutError(request.op, id, timeoutMs, this.#stderrTail());
    this.#record('suite', request, error);
    request.reject(error);
  }

  // Sending ------------------------------------------------------------------------------------

  #send(line: string): void {
    if (this.#closeReason !== undefined) return;
    this.#unsent.push(`${line}\n`);
    if (!this.#flushing) void this.#flush();
  }

  /** Writes what is queued; while the driver's stdin is full, lines gather and go out together. */
  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#unsent.length > 0 && this.#closeReason === undefined) {
      const batch = this.#unsent.join('');
      this.#unsent = [];
      if (!this.#output.write(batch)) await this.#drained();
    }
    this.#flushing = false;
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const stop = (): void => {
        this.#output.off('drain', stop);
        this.#output.off('close', stop);
        this.#stopWaitingForDrain = undefined;
        resolve();
      };
      this.#stopWaitingForDrain = stop;
      this.#output.once('drain', stop);
      this.#output.once('close', stop);
    });
  }

  // Receiving ----------------------------------------------------------------------------------

  #onLine(text: string): void {
    const verdict = readLine(text);
    switch (verdict.kind) {
      case 'blank':
        return;
      case 'malformed':
        this.close(new DriverMalformedLineError(text, verdict.problem, this.#stderrTail()));
        return;
      case 'request':
        void this.#answer(verdict, text);
        return;
      default:
        this.#settle(verdict, text);
    }
  }

  #settle(answer: Extract<LineVerdict, { kind: 'result' | 'error' }>, text: string): void {
    const request = this.#waiting.get(answer.id);
    if (request === undefined) {
      if (this.#timedOut.delete(answer.id)) return; // §12: a late answer is dropped
      this.close(
        new DriverMalformedLineError(
          text,
          `answers request ${answer.id}, which no request is waiting for`,
          this.#stderrTail(),
        ),
      );
      return;
    }
    this.#waiting.delete(answer.id);
    clearTimeout(request.timer);
    this.#record('suite', request, text);
    if (answer.kind === 'result') request.resolve(answer.result);
    else request.reject(errorFromWire(answer.error));
  }

  async #answer(request: Extract<LineVerdict, { kind: 'request' }>, text: string): Promise<void> {
    let outcome: { result: JsonValue } | { error: WireError };
    try {
      const handler = this.#callbacks.get(request.op);
      if (handler === undefined) throw new DriverUnknownOpError(request.op);
      outcome = { result: toWire(await handler(request.args, request.op), this) };
    } catch (error) {
      outcome = { error: errorToWire(error) };
    }
    if (this.#closeReason !== undefined) return;
    const reply = answerLine(request.id, outcome);
    this.#send(reply);
    this.#options.onExchange?.({ asker: 'driver', op: request.op, requestLine: text, reply });
  }

  async #nextOf(id: string): Promise<unknown> {
    const iterator = this.#shared.get(id);
    if (iterator === undefined) throw new DriverUnknownStreamError(id);
    let step: IteratorResult<unknown>;
    try {
      step = await iterator.next();
    } catch (error) {
      this.#shared.delete(id); // §9: an error answer ends the stream
      throw error;
    }
    if (step.done === true) {
      this.#shared.delete(id);
      return { done: true };
    }
    return { done: false, value: step.value };
  }

  async #cancel(id: string): Promise<null> {
    const iterator = this.#shared.get(id);
    this.#shared.delete(id);
    await iterator?.return?.();
    return null;
  }

  // The pipes ending ---------------------------------------------------------------------------

  #transportEnded(what: string, cause?: Error): void {
    const options = cause === undefined ? undefined : { cause };
    if (this.#options.onTransportEnd === undefined) {
      this.close(new DriverClosedError(what, this.#stderrTail(), options));
    } else {
      this.#options.onTransportEnd(new DriverClosedError(what, '', options));
    }
  }
}

/** §9: a stream the driver owns, one `stream.next` per item; leaving early sends `stream.cancel`. */
class PulledStream implements AsyncIterableIterator<unknown> {
  readonly #channel: DriverChannel;
  readonly #id: string;
  #over = false;

  constructor(channel: DriverChannel, id: string) {
    this.#channel = channel;
    this.#id = id;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }

  async next(): Promise<IteratorResult<unknown>> {
    if (this.#over) return { done: true, value: undefined };
    let step: JsonValue;
    try {
      step = await this.#channel.request(OPS.stream.next, { stream: this.#id });
    } catch (error) {
      this.#over = true; // an error answer ended the stream on the driver too
      throw error;
    }
    const done = step !== null && typeof step === 'object' && !Array.isArray(step) ? step.done : undefined;
    if (typeof done !== 'boolean') {
      this.#over = true;
      throw inAnswer(
        `${OPS.stream.next} must answer {"done": boolean, "value"?}, got ${JSON.stringify(step)}`,
      );
    }
    if (done) {
      this.#over = true;
      return { done: true, value: undefined };
    }
    const value = (step as JsonObject).value ?? null;
    return { done: false, value: fromWire(value, this.#channel, inAnswer) };
  }

  async return(): Promise<IteratorResult<unknown>> {
    if (!this.#over) {
      this.#over = true;
      await this.#channel.request(OPS.stream.cancel, { stream: this.#id }).catch(() => undefined);
    }
    return { done: true, value: undefined };
  }
}
