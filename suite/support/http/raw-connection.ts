import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import { basename } from 'node:path';
import { ClauseViolationError } from '../suite-errors.js';
import { attachLog, TRANSCRIPT_TEXT_LIMIT } from '../transcript.js';
import type { EngineAddress } from './http-call.js';
import { createResponseReader, type Framing, type MessageReader } from './message-reader.js';
import { StreamRecorder, STREAM_WAIT_MS } from './stream-recorder.js';
import type { HeaderLookup, TolerantResponseHead } from './tolerant-head.js';

/** Where the suite connects: a unix socket path, or an address (unix socket or TCP). */
export type RawAddress = string | EngineAddress;

export interface RawConnectionOptions {
  /** The peer's name in the clause's transcript (default: the socket's file name or host:port). */
  readonly peer?: string;
  /**
   * The method of the request the answer belongs to (a HEAD answer has no body); by default the
   * first word sent on the connection.
   */
  readonly method?: string;
  /** Deadline for the connection to open (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Attach both directions to the running clause's transcript (default true). */
  readonly transcript?: boolean;
}

/** The first answer on a connection as far as it has arrived: head, body by its framing. */
export interface AnswerView extends HeaderLookup {
  readonly head: TolerantResponseHead;
  readonly status: number | undefined;
  /** Interim 1xx answers before it (a `100 Continue`). */
  readonly interim: readonly TolerantResponseHead[];
  readonly framing: Framing;
  /** The body so far, de-chunked, up to the announced length. */
  readonly body: Buffer;
  /** Every byte after the head as received (chunk framing and bytes past the body included). */
  readonly afterHead: Buffer;
  /** Whole by its framing: the length reached, the last chunk seen, or (close, hijack) the end of the connection. */
  readonly complete: boolean;
  /** What is odd about the answer: head, framing or body (a body cut short, bad chunks). */
  readonly defects: readonly string[];
  /** Bytes past the end of the answer. */
  readonly rest: Buffer;
}

/** A string as latin1 (one byte per character), bytes as they are. */
export function toBuffer(bytes: string | Uint8Array): Buffer {
  if (typeof bytes === 'string') return Buffer.from(bytes, 'latin1');
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function describeAddress(address: RawAddress): string {
  if (typeof address === 'string') return basename(address, '.sock');
  if ('socketPath' in address) return basename(address.socketPath, '.sock');
  return `${address.host}:${address.port}`;
}

/**
 * One raw HTTP/1.1 client connection of the suite, to a unix socket or a TCP address. It sends
 * whatever bytes a test needs (a built request, a malformed one, a stream after a 101), keeps
 * every byte both ways for the clause's transcript, and reads what comes back as it arrives: the
 * raw bytes (`bytes`, `text`), and the first answer parsed tolerantly (`answer`: head, framing,
 * body, defects). Half-close (`halfClose`), backpressure (`write` resolves once the bytes are
 * handed to the kernel; `socket.pause()` stops reading) and waits with deadlines that fail the
 * clause when the peer never delivers.
 */
export class RawConnection extends StreamRecorder {
  readonly socket: Socket;
  readonly peer: string;
  readonly #reader: MessageReader<TolerantResponseHead>;
  #method: string | undefined;
  readonly #sent: Buffer[] = [];
  #sentLength = 0;

  private constructor(socket: Socket, peer: string, options: RawConnectionOptions) {
    super(socket);
    this.socket = socket;
    this.peer = peer;
    this.#method = options.method;
    this.#reader = createResponseReader(() => this.#method);
    // Before the observer's own listeners, so that waiters woken by the end see the answer ended.
    const ended = (): void => this.#reader.end();
    socket.prependListener('end', ended);
    socket.prependListener('close', ended);
    socket.prependListener('error', ended);
    if (options.transcript !== false) {
      attachLog(
        `${peer} (raw connection)`,
        () => this.sent.subarray(0, TRANSCRIPT_TEXT_LIMIT).toString('latin1'),
        () => this.bytes.subarray(0, TRANSCRIPT_TEXT_LIMIT).toString('latin1'),
      );
    }
  }

  protected override onChunk(chunk: Buffer): void {
    super.onChunk(chunk);
    this.#reader.push(chunk);
  }

  /** Opens a connection (half-open capable: our FIN does not end our reading). */
  static open(address: RawAddress, options: RawConnectionOptions = {}): Promise<RawConnection> {
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const target = typeof address === 'string' ? { socketPath: address } : address;
    return new Promise((resolve, reject) => {
      const socket =
        'socketPath' in target
          ? connect({ path: target.socketPath, allowHalfOpen: true })
          : connect({ host: target.host, port: target.port, allowHalfOpen: true });
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error(`could not connect to ${describeAddress(address)} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', fail);
        resolve(new RawConnection(socket, options.peer ?? describeAddress(address), options));
      });
    });
  }

  /** Everything sent so far. */
  get sent(): Buffer {
    if (this.#sent.length > 1) this.#sent.splice(0, this.#sent.length, Buffer.concat(this.#sent));
    return this.#sent[0] ?? Buffer.alloc(0);
  }

  #keep(data: Buffer): void {
    if (this.#method === undefined && this.#sentLength === 0) {
      const word = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?= )/.exec(data.toString('latin1', 0, 32))?.[0];
      this.#method = word;
    }
    if (this.#sentLength < TRANSCRIPT_TEXT_LIMIT)
      this.#sent.push(data.subarray(0, TRANSCRIPT_TEXT_LIMIT - this.#sentLength));
    this.#sentLength += data.length;
  }

  /** Writes bytes (a string as latin1, byte for byte); a no-op once the connection is gone. */
  send(bytes: string | Uint8Array): void {
    const data = toBuffer(bytes);
    this.#keep(data);
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.write(data);
  }

  /** Writes bytes and resolves once they are handed to the kernel (backpressure); rejects on an error. */
  write(bytes: string | Uint8Array): Promise<void> {
    const data = toBuffer(bytes);
    this.#keep(data);
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Ends our side (FIN), after `bytes` if given, and goes on reading. */
  halfClose(bytes?: string | Uint8Array): void {
    if (bytes !== undefined) this.send(bytes);
    if (!this.socket.destroyed) this.socket.end();
  }

  /** Closes the connection at once (both directions). */
  close(): void {
    this.socket.destroy();
  }

  /** The first answer as far as it has arrived; undefined until its head is complete. */
  get answer(): AnswerView | undefined {
    const reader = this.#reader;
    const head = reader.head;
    if (head === undefined) return undefined;
    return {
      head,
      status: head.status,
      interim: reader.interim,
      framing: reader.framing!,
      body: reader.body(),
      afterHead: reader.afterHead(),
      complete: reader.complete,
      defects: reader.defects,
      rest: reader.rest(),
      header: (name) => head.header(name),
      values: (name) => head.values(name),
    };
  }

  /** The answer head, once it has arrived. */
  get head(): TolerantResponseHead | undefined {
    return this.#reader.head;
  }

  /** A header of the answer (case-insensitive). */
  header(name: string): string | undefined {
    return this.#reader.head?.header(name);
  }

  /** The answer body so far (de-chunked, up to its length; after a 101: the stream). */
  body(): Buffer {
    return this.#reader.body();
  }

  /** Every byte after the answer head, as received. */
  afterHead(): Buffer {
    return this.#reader.afterHead();
  }

  /** True once the answer is whole by its framing, or the connection is over. */
  get settled(): boolean {
    return this.#reader.complete || this.finished;
  }

  #request(): string {
    const line = this.sent.toString('latin1', 0, 200).split(/\r?\n/)[0] ?? '';
    return line === '' ? 'what was sent' : JSON.stringify(line);
  }

  /** Waits for the answer head; a clause violation when the connection ends (or the deadline passes) first. */
  async untilHead(timeoutMs = STREAM_WAIT_MS): Promise<TolerantResponseHead> {
    await this.until(
      (c) => c.head !== undefined || c.finished,
      `an answer head to ${this.#request()}`,
      timeoutMs,
    );
    const head = this.#reader.head;
    if (head === undefined) {
      throw new ClauseViolationError(
        `the connection ${this.state()} before an answer head to ${this.#request()}; received ${JSON.stringify(this.text.slice(0, 300))}`,
      );
    }
    return head;
  }

  /**
   * Waits until the answer is whole by its framing or the connection is over, and returns it as it
   * stands (check `complete` and `defects`); a clause violation when no head came.
   */
  async untilAnswer(timeoutMs = STREAM_WAIT_MS): Promise<AnswerView> {
    await this.until((c) => c.settled, `the whole answer to ${this.#request()}`, timeoutMs);
    const answer = this.answer;
    if (answer === undefined) {
      throw new ClauseViolationError(
        `the connection ${this.state()} before an answer head to ${this.#request()}; received ${JSON.stringify(this.text.slice(0, 300))}`,
      );
    }
    return answer;
  }

  /** Resolves with the body once `condition` holds on it (`settled`: the answer is over). */
  async untilBody(
    condition: (body: Buffer, settled: boolean) => boolean,
    what: string,
    timeoutMs = STREAM_WAIT_MS,
  ): Promise<Buffer> {
    await this.until((c) => condition(c.body(), c.settled), what, timeoutMs);
    return this.body();
  }

  /**
   * Resolves with the whole body once the answer is complete (after a 101 or for a close-delimited
   * body: the peer's end); a clause violation when the answer is defective or cut short.
   */
  async untilComplete(what = 'the end of the answer', timeoutMs = STREAM_WAIT_MS): Promise<Buffer> {
    const answer = await this.untilAnswer(timeoutMs);
    if (!answer.complete || answer.defects.length > 0) {
      const why = answer.defects.length > 0 ? answer.defects.join('; ') : `the connection ${this.state()}`;
      throw new ClauseViolationError(`expected ${what}; ${why}`);
    }
    return answer.body;
  }

  /** The answer head and every byte after it, once the peer has ended the connection cleanly. */
  async response(timeoutMs = STREAM_WAIT_MS): Promise<{ head: TolerantResponseHead; body: Buffer }> {
    const head = await this.untilHead(timeoutMs);
    await this.untilEnded(timeoutMs);
    return { head, body: this.afterHead() };
  }
}

export interface SendRawOptions extends RawConnectionOptions {
  /** Ends our side (FIN) right after the bytes. */
  readonly halfClose?: boolean;
  /** Deadline for the peer to close the connection (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Sends raw bytes on a connection of its own (half-closing after them with `halfClose`), ends our
 * side once the peer has ended its own, and resolves with the connection once it has closed: read
 * what came in `bytes`, `text` or `answer`. A clause violation when the peer keeps the connection
 * open past `timeoutMs` (the connection is closed then).
 */
export async function sendRaw(
  address: RawAddress,
  bytes: string | Uint8Array,
  options: SendRawOptions = {},
): Promise<RawConnection> {
  const connection = await RawConnection.open(address, options);
  connection.socket.on('end', () => connection.socket.end());
  try {
    connection.send(bytes);
    if (options.halfClose === true) connection.halfClose();
    await connection.until(
      (c) => c.closed,
      'the peer to close the connection',
      options.timeoutMs ?? STREAM_WAIT_MS,
    );
    return connection;
  } finally {
    connection.close();
  }
}
