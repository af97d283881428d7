import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import type { ByteReader } from './byte-reader.js';
import { BadClientRequestError } from './proxy-errors.js';
import { readBody } from './read-body.js';

const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** A request body as the forward consumes it. */
export interface RequestBody {
  readonly framing: BodyFraming;
  /** Every byte of the body has been read. */
  readonly complete: boolean;
  chunks(): AsyncGenerator<Buffer>;
}

/** A body already read whole (exec start), replayed as one piece with its exact length. */
export class HeldBody implements RequestBody {
  readonly framing: BodyFraming;
  readonly complete = true;
  readonly #whole: Buffer;

  constructor(whole: Buffer) {
    this.#whole = whole;
    this.framing = whole.length === 0 ? { kind: 'none' } : { kind: 'length', length: whole.length };
  }

  async *chunks(): AsyncGenerator<Buffer> {
    await Promise.resolve();
    if (this.#whole.length > 0) yield this.#whole;
  }
}

/**
 * The body of the request being served. It is read at most once; `Expect: 100-continue` is
 * answered when reading starts, so a request refused before that never makes the client upload.
 */
export class ClientBody implements RequestBody {
  readonly framing: BodyFraming;
  readonly #reader: ByteReader;
  readonly #client: Duplex;
  readonly #expectContinue: boolean;
  #state: 'unread' | 'reading' | 'done' | 'failed' = 'unread';

  constructor(reader: ByteReader, client: Duplex, framing: BodyFraming, expectContinue: boolean) {
    this.#reader = reader;
    this.#client = client;
    this.framing = framing;
    this.#expectContinue = expectContinue && framing.kind !== 'none';
    if (framing.kind === 'none') this.#state = 'done';
  }

  get complete(): boolean {
    return this.#state === 'done';
  }

  /** The payload as it arrives; throws (and the connection must close) if the client breaks off. */
  async *chunks(): AsyncGenerator<Buffer> {
    if (this.#state !== 'unread') return;
    this.#state = 'reading';
    if (this.#expectContinue && !this.#client.destroyed) this.#client.write(CONTINUE);
    try {
      yield* readBody(this.#reader, this.framing);
      this.#state = 'done';
    } finally {
      if (this.#state !== 'done') this.#state = 'failed';
    }
  }

  /** The whole payload, refusing more than `maxBytes` (413). */
  async collect(maxBytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const part of this.chunks()) {
      size += part.length;
      if (size > maxBytes) throw new BadClientRequestError(`request body exceeds ${maxBytes} bytes`, 413);
      parts.push(part);
    }
    return Buffer.concat(parts);
  }

  /**
   * Reads and drops what is left so the next request on the connection can be read. False when
   * that is not possible: the client still waits for 100 Continue, or its body broke off.
   */
  async discard(): Promise<boolean> {
    if (this.#state === 'done') return true;
    if (this.#state !== 'unread' || this.#expectContinue) return false;
    try {
      for await (const part of this.chunks()) void part;
      return true;
    } catch {
      return false;
    }
  }
}
