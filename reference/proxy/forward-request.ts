import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { Role } from '../../protocol/connector.js';
import { createHeadReader } from '../../protocol/head-reader.js';
import { buildRequestHead, buildResponseHead } from '../../protocol/http-head-builder.js';
import type { RequestHead, ResponseHead } from '../../protocol/http-head.js';
import { BerthError } from '../../protocol/errors.js';
import { getHeader } from '../../protocol/header-list.js';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import { encodeChunk, LAST_CHUNK } from '../../protocol/http/chunked-encoder.js';
import { connectionHas } from '../../protocol/http/hop-by-hop.js';
import { responseFraming } from '../../protocol/http/response-framing.js';
import type { ByteReader } from './byte-reader.js';
import type { RequestBody } from './client-body.js';
import { clientResponseHeaders, guestRequestHeaders } from './forwarded-headers.js';
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

async function readResponseHead(reader: ByteReader, role: Role): Promise<ResponseHead> {
  for (;;) {
    const head = createHeadReader({ kind: 'response' });
    let done: ResponseHead | undefined;
    while (done === undefined) {
      let chunk: Buffer | null;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new GuestUnavailableError(role, 'the connection broke before it answered', { cause: error });
      }
      if (chunk === null) throw new GuestUnavailableError(role, 'it closed the connection before answering');
      const state = head.push(chunk);
      if (state.state === 'error')
        throw new GuestProtocolError(role, state.error.message, { cause: state.error });
      if (state.state === 'done') {
        reader.unshift(state.rest);
        done = state.head;
      }
    }
    if (done.status === 101) throw new GuestProtocolError(role, 'it switched protocols on a plain request');
    // Interim answers (100, 102, 103) are the proxy's business, not the client's.
    if (done.status >= 200) return done;
  }
}

/** The guest's `Keep-Alive: timeout=N` hint, less a second of margin; Infinity without one. */
function keepAliveMs(headers: ResponseHead['headers']): number {
  const match = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(getHeader(headers, 'keep-alive') ?? '');
  return match === null ? Infinity : (Number(match[1]) - 1) * 1000;
}

/** The guest will take another request on this connection once the answer is read. */
function guestKeepsConnection(answer: ResponseHead, framing: BodyFraming): boolean {
  return answer.version === 'HTTP/1.1' && framing.kind !== 'close' && !connectionHas(answer.headers, 'close');
}

/**
 * HND-12: the request body streamed to the guest while its answer streams back, every hop-by-hop
 * field dropped both ways and the framing redone. A bodyless GET or HEAD may ride an idle
 * keep-alive guest connection (as upstream's later pool does); if that connection turns out to
 * be dead before any answer byte, the request goes once more on a new connection.
 */
export async function forwardRequest(
  context: ProxyContext,
  client: Duplex,
  options: ForwardOptions,
): Promise<ForwardResult> {
  const { role, head, body, signal } = options;
  const replayable = (head.method === 'GET' || head.method === 'HEAD') && body.framing.kind === 'none';
  let lease = await context.guests.acquire(role, signal, replayable);
  let guest = lease.stream;
  let guestReader = lease.reader;
  const receivedBefore = guestReader.received;
  const closeGuest = (): void => void guest.destroy();
  signal.addEventListener('abort', closeGuest, { once: true });
  if (signal.aborted) closeGuest();
  // FLT-6: a client that ends its side once its request is in has given up on the answer (as Go's
  // net/http and nginx take it): the guest connection is closed, so a guest that never answers
  // holds nothing open, and the client connection is closed with it.
  let clientEnded = false;
  const onClientEnd = (): void => {
    if (!body.complete) return;
    clientEnded = true;
    guest.destroy();
  };
  client.once('end', onClientEnd);
  let answerStarted = false;
  // Set once the exchange is complete and the guest connection can carry another one.
  let reusable = false;
  let keepMs = Infinity;
  try {
    // 1. The request head: end-to-end fields, Host: localhost, the proxy's own framing.
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
    guest.write(requestHead);

    // 2. The body, pumped alongside the answer; once the guest is gone the rest is drained.
    let bodyBroken = false;
    // A bodyless request has nothing to pump (most requests: spare them the generator).
    let bodySent = body.framing.kind === 'none';
    const pump = bodySent
      ? Promise.resolve()
      : (async () => {
          try {
            for await (const piece of body.chunks()) {
              if (guest.destroyed || guest.writableEnded) continue;
              await writeAll(guest, body.framing.kind === 'chunked' ? encodeChunk(piece) : piece).catch(
                () => undefined,
              );
            }
            if (body.framing.kind === 'chunked' && !guest.destroyed) guest.write(LAST_CHUNK);
            bodySent = !guest.destroyed;
          } catch {
            bodyBroken = true;
            guest.destroy();
          }
        })();

    // 3. The answer head (on a reused connection that died idle: once more on a new one).
    const readAnswerHead = async (): Promise<ResponseHead> => {
      try {
        return await readResponseHead(guestReader, role);
      } catch (error) {
        const stale =
          lease.reused && guestReader.received === receivedBefore && error instanceof GuestUnavailableError;
        if (!stale || signal.aborted || clientEnded) throw error;
        guest.destroy();
        lease = await context.guests.acquire(role, signal, false);
        guest = lease.stream;
        guestReader = lease.reader;
        guest.write(requestHead);
        return await readResponseHead(guestReader, role);
      }
    };
    let answer: ResponseHead;
    try {
      answer = await readAnswerHead();
    } catch (error) {
      guest.destroy();
      await pump;
      if (bodyBroken || signal.aborted || clientEnded)
        throw new AnswerBrokenError('the client broke off its request');
      throw error;
    }
    const framing = responseFraming(head.method, answer.status, answer.headers);
    const success = answer.status >= 200 && answer.status < 300;
    keepMs = keepAliveMs(answer.headers);
    // Once the answer has been read whole: keep the connection only if the whole request went
    // out too (a guest that answered early, before the body, gets its connection closed).
    const settleGuest = (): void => {
      reusable = guestKeepsConnection(answer, framing) && bodySent && !bodyBroken && body.complete;
      if (!reusable) guest.destroy();
    };

    // 4a. Answers the proxy must read first (create, exec create): buffered, then sent as they came.
    if (options.collectBody === true && success && framing.kind !== 'close') {
      const parts: Buffer[] = [];
      let size = 0;
      try {
        for await (const part of readBody(guestReader, framing)) {
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
      const collected = Buffer.concat(parts);
      settleGuest();
      await options.beforeAnswer?.(answer.status, collected);
      await pump;
      const keepAlive = options.keepAlive && !bodyBroken && body.complete;
      const out = clientResponseHeaders(answer.headers).filter(
        ([name]) => name.toLowerCase() !== 'content-length',
      );
      out.push(['Content-Length', String(collected.length)]);
      if (!keepAlive) out.push(['Connection', 'close']);
      answerStarted = true;
      await writeAll(
        client,
        Buffer.concat([buildResponseHead({ ...answer, version: 'HTTP/1.1', headers: out }), collected]),
      );
      return { status: answer.status, body: collected, keepAlive };
    }
    await options.beforeAnswer?.(answer.status, undefined);

    // 4b. Everything else streams: each piece goes out as soon as it arrives.
    const clientIsHttp11 = head.version === 'HTTP/1.1';
    let keepAlive = options.keepAlive;
    const out = clientResponseHeaders(answer.headers).filter(
      ([name]) =>
        framing.kind === 'none' || framing.kind === 'length' || name.toLowerCase() !== 'content-length',
    );
    let outFraming: BodyFraming['kind'] = framing.kind;
    if (framing.kind === 'chunked' || (framing.kind === 'close' && clientIsHttp11)) {
      out.push(['Transfer-Encoding', 'chunked']);
      outFraming = 'chunked';
    } else if (framing.kind === 'close') {
      keepAlive = false;
    }
    const headFor = (alive: boolean): Buffer =>
      buildResponseHead({
        ...answer,
        version: 'HTTP/1.1',
        headers: alive ? out : [...out, ['Connection', 'close']],
      });
    if (framing.kind === 'none') {
      // A bodyless answer: the request body may still be arriving; it is drained, not sent.
      settleGuest();
      await pump;
      keepAlive &&= !bodyBroken && body.complete;
      answerStarted = true;
      await writeAll(client, headFor(keepAlive));
      return { status: answer.status, body: undefined, keepAlive };
    }
    answerStarted = true;
    // A small answer that arrived whole with its head leaves in one write.
    const whole =
      framing.kind === 'length' && framing.length <= SMALL_ANSWER
        ? guestReader.takeBuffered(framing.length)
        : undefined;
    if (whole !== undefined) {
      settleGuest();
      await writeAll(client, Buffer.concat([headFor(keepAlive), whole]));
    } else {
      await writeAll(client, headFor(keepAlive));
      try {
        for await (const piece of readBody(guestReader, framing)) {
          await writeAll(client, outFraming === 'chunked' ? encodeChunk(piece) : piece);
        }
      } catch (error) {
        throw new AnswerBrokenError('the answer broke off', { cause: error });
      }
      settleGuest();
      if (outFraming === 'chunked') await writeAll(client, LAST_CHUNK);
    }
    await pump;
    return { status: answer.status, body: undefined, keepAlive: keepAlive && !bodyBroken && body.complete };
  } catch (error) {
    reusable = false;
    if (answerStarted && !(error instanceof AnswerBrokenError))
      throw new AnswerBrokenError('the answer broke off', { cause: error });
    throw error;
  } finally {
    signal.removeEventListener('abort', closeGuest);
    client.removeListener('end', onClientEnd);
    if (reusable && !signal.aborted && !clientEnded) context.guests.release(role, lease, keepMs);
    else guest.destroy();
  }
}
