import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { Role } from '../../protocol/connector.js';
import { BerthError } from '../../protocol/errors.js';
import { buildRequestHead, buildResponseHead } from '../../protocol/http-head-builder.js';
import type { RequestHead, ResponseHead } from '../../protocol/http-head.js';
import { getHeader } from '../../protocol/header-list.js';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import { encodeChunk, LAST_CHUNK } from '../../protocol/http/chunked-encoder.js';
import { responseFraming } from '../../protocol/http/response-framing.js';
import type { ByteReader } from './byte-reader.js';
import type { RequestBody } from './client-body.js';
import { clientResponseHeaders, guestRequestHeaders } from './forwarded-headers.js';
import { guestKeepsConnection, keepAliveMs, readAnswerHead } from './guest-answer.js';
import type { GuestLease } from './guest-pool.js';
import type { ProxyContext } from './proxy-context.js';
import { GuestProtocolError, GuestUnavailableError } from './proxy-errors.js';
import { readBody } from './read-body.js';
import { writeAll } from './write-all.js';

/** What the caller learns once the guest's answer has been relayed. */
export interface ForwardResult {
  readonly status: number;
  /** The whole answer body, when `collectBody` asked for it and the status was 2xx. */
  readonly body: Buffer | undefined;
  /** Whether the client connection can carry another request. */
  readonly keepAlive: boolean;
}

export interface ForwardOptions {
  readonly role: Role;
  readonly head: RequestHead;
  readonly body: RequestBody;
  /** The client connection can carry another request after this one. */
  readonly keepAlive: boolean;
  /** Aborted when the client connection closes. */
  readonly signal: AbortSignal;
  /**
   * Buffer a 2xx answer (small JSON: create, exec create) and call `beforeAnswer` with it before
   * the client sees any of it, so the registry knows the new ID before the client can use it.
   */
  readonly collectBody?: boolean;
  readonly beforeAnswer?: (status: number, body: Buffer | undefined) => Promise<void>;
}

const MAX_COLLECTED_BODY = 1024 * 1024;
/** Length-framed answers up to this size that are already in hand go out with their head. */
const SMALL_ANSWER = 64 * 1024;

/** The exchange broke after the client saw part of it (or the client broke it): close, never answer. */
export class AnswerBrokenError extends BerthError {
  readonly code = 'ERR_PROXY_ANSWER_BROKEN';
}

/**
 * Where one exchange stands:
 * - sending: the request head is out, its body may still be pumping, the answer head is awaited;
 * - answered: the answer head is in hand and none of it has reached the client (a failure here
 *   still becomes an error answer);
 * - relaying: the client may have seen part of the answer (a failure can only break the connection);
 * - done: the answer went out whole; broken: the exchange failed.
 */
export type ExchangeState = 'sending' | 'answered' | 'relaying' | 'done' | 'broken';

/** The request body on its way to the guest: all sent, cut short (the guest went first), or broken by the client. */
type BodyState = 'sending' | 'sent' | 'cut' | 'broken';

/** An answer head in hand, with the framing of the body that follows it. */
interface Answer {
  readonly head: ResponseHead;
  readonly framing: BodyFraming;
}

/** The head of a streamed answer: the fields for the client and how its body is framed to it. */
interface StreamedHead {
  readonly headers: [string, string][];
  readonly chunked: boolean;
  readonly keepAlive: boolean;
}

/**
 * HND-12 framing for the client: a chunked guest answer, or one that runs until close to an
 * HTTP/1.1 client, is re-chunked; one that runs until close to an HTTP/1.0 client closes it.
 */
function streamedHead(answer: Answer, clientVersion: string, keepAlive: boolean): StreamedHead {
  const { kind } = answer.framing;
  const headers = clientResponseHeaders(answer.head.headers).filter(
    ([name]) => kind === 'none' || kind === 'length' || name.toLowerCase() !== 'content-length',
  );
  if (kind === 'chunked' || (kind === 'close' && clientVersion === 'HTTP/1.1')) {
    headers.push(['Transfer-Encoding', 'chunked']);
    return { headers, chunked: true, keepAlive };
  }
  return { headers, chunked: false, keepAlive: keepAlive && kind !== 'close' };
}

function encodeAnswerHead(answer: Answer, headers: [string, string][], keepAlive: boolean): Buffer {
  return buildResponseHead({
    ...answer.head,
    version: 'HTTP/1.1',
    headers: keepAlive ? headers : [...headers, ['Connection', 'close']],
  });
}

/** The guest's whole answer body, refusing more than MAX_COLLECTED_BODY. */
async function collectAnswerBody(reader: ByteReader, framing: BodyFraming, role: Role): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of readBody(reader, framing)) {
      size += part.length;
      if (size > MAX_COLLECTED_BODY)
        throw new GuestProtocolError(role, `answer exceeds ${MAX_COLLECTED_BODY} bytes`);
      parts.push(part);
    }
  } catch (error) {
    if (error instanceof GuestProtocolError) throw error;
    throw new GuestUnavailableError(role, 'the connection broke in the middle of its answer', {
      cause: error,
    });
  }
  return Buffer.concat(parts);
}

/**
 * One request and its answer between a client and a guest connection, as an explicit state
 * (ExchangeState) rather than flags. The request body streams to the guest while the answer
 * streams back; the guest connection goes back to the pool only after a complete exchange.
 */
class Exchange {
  #state: ExchangeState = 'sending';
  #body: BodyState = 'sending';
  #lease: GuestLease;
  readonly #receivedBefore: number;
  /** Whether the guest connection can carry another exchange, decided once its answer is read. */
  #guestKept = false;
  #keepMs = Infinity;
  #pump: Promise<void> = Promise.resolve();
  /** The client closed, or (FLT-6) ended its side once its request was in. */
  readonly #gone = new AbortController();
  readonly #onAbort = (): void => this.#gone.abort();
  readonly #onClientEnd = (): void => {
    if (this.options.body.complete) this.#gone.abort();
  };

  constructor(
    readonly context: ProxyContext,
    readonly client: Duplex,
    readonly options: ForwardOptions,
    lease: GuestLease,
  ) {
    this.#lease = lease;
    this.#receivedBefore = lease.reader.received;
    this.#gone.signal.addEventListener('abort', () => void this.#lease.stream.destroy(), { once: true });
    options.signal.addEventListener('abort', this.#onAbort, { once: true });
    if (options.signal.aborted) this.#gone.abort();
    // FLT-6: a client that ends its side once its request is in has given up on the answer (as Go's
    // net/http and nginx take it): the guest connection is closed, so a guest that never answers
    // holds nothing open, and the client connection is closed with it.
    client.once('end', this.#onClientEnd);
  }

  async run(): Promise<ForwardResult> {
    try {
      const requestHead = this.#sendRequest();
      const answer = await this.#awaitAnswer(requestHead);
      this.#state = 'answered';
      const success = answer.head.status >= 200 && answer.head.status < 300;
      const result =
        this.options.collectBody === true && success && answer.framing.kind !== 'close'
          ? await this.#relayCollected(answer)
          : await this.#relayStreamed(answer);
      this.#state = 'done';
      return result;
    } catch (error) {
      const answerStarted = this.#state === 'relaying';
      this.#state = 'broken';
      this.#guestKept = false;
      if (answerStarted && !(error instanceof AnswerBrokenError))
        throw new AnswerBrokenError('the answer broke off', { cause: error });
      throw error;
    } finally {
      this.#close();
    }
  }

  /** 1. The request head (end-to-end fields, Host: localhost, the proxy's own framing), then the body pump. */
  #sendRequest(): Buffer {
    const { head, body } = this.options;
    const headers = guestRequestHeaders(head.headers);
    if (body.framing.kind === 'chunked') headers.push(['Transfer-Encoding', 'chunked']);
    else if (body.framing.kind === 'length') headers.push(['Content-Length', String(body.framing.length)]);
    else if (getHeader(head.headers, 'content-length') !== undefined) headers.push(['Content-Length', '0']);
    const requestHead = buildRequestHead({
      method: head.method,
      target: head.target,
      version: 'HTTP/1.1',
      headers,
    });
    this.#lease.stream.write(requestHead);
    // A bodyless request has nothing to pump (most requests: spare them the generator).
    if (body.framing.kind === 'none') this.#body = 'sent';
    else this.#pump = this.#pumpBody();
    return requestHead;
  }

  /** 2. The body, pumped alongside the answer; once the guest is gone the rest is drained. */
  async #pumpBody(): Promise<void> {
    const { body } = this.options;
    const guest = this.#lease.stream;
    const chunked = body.framing.kind === 'chunked';
    try {
      for await (const piece of body.chunks()) {
        if (guest.destroyed || guest.writableEnded) continue;
        await writeAll(guest, chunked ? encodeChunk(piece) : piece).catch(() => undefined);
      }
      if (chunked && !guest.destroyed) guest.write(LAST_CHUNK);
      this.#body = guest.destroyed ? 'cut' : 'sent';
    } catch {
      this.#body = 'broken';
      guest.destroy();
    }
  }

  /**
   * 3. The answer head. A bodyless GET or HEAD may ride an idle keep-alive guest connection (as
   * upstream's later pool does); if that connection turns out to be dead before any answer byte,
   * the request goes once more on a new connection.
   */
  async #awaitAnswer(requestHead: Buffer): Promise<Answer> {
    const { role, head } = this.options;
    let answer: ResponseHead;
    try {
      answer = await readAnswerHead(this.#lease.reader, role).catch(async (error: unknown) => {
        if (!this.#isStale(error) || this.#gone.signal.aborted) throw error;
        this.#lease.stream.destroy();
        this.#lease = await this.context.guests.acquire(role, this.options.signal, false);
        this.#lease.stream.write(requestHead);
        return readAnswerHead(this.#lease.reader, role);
      });
    } catch (error) {
      this.#lease.stream.destroy();
      await this.#pump;
      if (this.#body === 'broken' || this.#gone.signal.aborted)
        throw new AnswerBrokenError('the client broke off its request');
      throw error;
    }
    const framing = responseFraming(head.method, answer.status, answer.headers);
    this.#keepMs = keepAliveMs(answer.headers);
    return { head: answer, framing };
  }

  /** A reused connection that died idle: it closed before sending a single answer byte. */
  #isStale(error: unknown): boolean {
    return (
      this.#lease.reused &&
      this.#lease.reader.received === this.#receivedBefore &&
      error instanceof GuestUnavailableError
    );
  }

  /**
   * Once the answer has been read whole: keep the guest connection only if the whole request went
   * out too (a guest that answered early, before the body, gets its connection closed).
   */
  #settleGuest(answer: Answer): void {
    this.#guestKept =
      guestKeepsConnection(answer.head, answer.framing) &&
      this.#body === 'sent' &&
      this.options.body.complete;
    if (!this.#guestKept) this.#lease.stream.destroy();
  }

  /** The client connection carries another request only if its whole request was read. */
  #clientKeepAlive(wanted: boolean): boolean {
    return wanted && this.#body !== 'broken' && this.options.body.complete;
  }

  /** 4a. An answer the proxy must read first (create, exec create): buffered, then sent in one write. */
  async #relayCollected(answer: Answer): Promise<ForwardResult> {
    const collected = await collectAnswerBody(this.#lease.reader, answer.framing, this.options.role);
    this.#settleGuest(answer);
    await this.options.beforeAnswer?.(answer.head.status, collected);
    await this.#pump;
    const keepAlive = this.#clientKeepAlive(this.options.keepAlive);
    const headers = clientResponseHeaders(answer.head.headers).filter(
      ([name]) => name.toLowerCase() !== 'content-length',
    );
    headers.push(['Content-Length', String(collected.length)]);
    this.#state = 'relaying';
    await writeAll(this.client, Buffer.concat([encodeAnswerHead(answer, headers, keepAlive), collected]));
    return { status: answer.head.status, body: collected, keepAlive };
  }

  /** 4b. Everything else streams: bodyless, small and whole in one write, or piece by piece. */
  async #relayStreamed(answer: Answer): Promise<ForwardResult> {
    const { status } = answer.head;
    await this.options.beforeAnswer?.(status, undefined);
    const out = streamedHead(answer, this.options.head.version, this.options.keepAlive);
    if (answer.framing.kind === 'none') {
      // A bodyless answer: the request body may still be arriving; it is drained, not sent.
      this.#settleGuest(answer);
      await this.#pump;
      const keepAlive = this.#clientKeepAlive(out.keepAlive);
      this.#state = 'relaying';
      await writeAll(this.client, encodeAnswerHead(answer, out.headers, keepAlive));
      return { status, body: undefined, keepAlive };
    }
    this.#state = 'relaying';
    const { framing } = answer;
    // A small answer that arrived whole with its head leaves in one write.
    const whole =
      framing.kind === 'length' && framing.length <= SMALL_ANSWER
        ? this.#lease.reader.takeBuffered(framing.length)
        : undefined;
    if (whole === undefined) await this.#relayPieces(answer, out);
    else {
      this.#settleGuest(answer);
      await writeAll(
        this.client,
        Buffer.concat([encodeAnswerHead(answer, out.headers, out.keepAlive), whole]),
      );
    }
    await this.#pump;
    return { status, body: undefined, keepAlive: this.#clientKeepAlive(out.keepAlive) };
  }

  /** Each piece of the answer body goes out as soon as it arrives. */
  async #relayPieces(answer: Answer, out: StreamedHead): Promise<void> {
    await writeAll(this.client, encodeAnswerHead(answer, out.headers, out.keepAlive));
    try {
      for await (const piece of readBody(this.#lease.reader, answer.framing)) {
        await writeAll(this.client, out.chunked ? encodeChunk(piece) : piece);
      }
    } catch (error) {
      throw new AnswerBrokenError('the answer broke off', { cause: error });
    }
    this.#settleGuest(answer);
    if (out.chunked) await writeAll(this.client, LAST_CHUNK);
  }

  /** The guest connection back to the pool after a complete exchange, else closed. */
  #close(): void {
    this.options.signal.removeEventListener('abort', this.#onAbort);
    this.client.removeListener('end', this.#onClientEnd);
    if (this.#guestKept && !this.#gone.signal.aborted)
      this.context.guests.release(this.options.role, this.#lease, this.#keepMs);
    else this.#lease.stream.destroy();
  }
}

/**
 * HND-12: the request body streamed to the guest while its answer streams back, every hop-by-hop
 * field dropped both ways and the framing redone (see Exchange).
 */
export async function forwardRequest(
  context: ProxyContext,
  client: Duplex,
  options: ForwardOptions,
): Promise<ForwardResult> {
  const { role, head, body, signal } = options;
  const replayable = (head.method === 'GET' || head.method === 'HEAD') && body.framing.kind === 'none';
  const lease = await context.guests.acquire(role, signal, replayable);
  return new Exchange(context, client, options, lease).run();
}
