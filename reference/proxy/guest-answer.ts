import type { Buffer } from 'node:buffer';
import type { Role } from '../../protocol/connector.js';
import { createHeadReader } from '../../protocol/head-reader.js';
import type { ResponseHead } from '../../protocol/http-head.js';
import { getHeader } from '../../protocol/header-list.js';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import { connectionHas } from '../../protocol/http/hop-by-hop.js';
import type { ByteReader } from './byte-reader.js';
import { GuestProtocolError, GuestUnavailableError } from './proxy-errors.js';

/** The guest's final answer head; interim answers (100, 102, 103) are the proxy's business, not the client's. */
export async function readAnswerHead(reader: ByteReader, role: Role): Promise<ResponseHead> {
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
    if (done.status >= 200) return done;
  }
}

/** The guest's `Keep-Alive: timeout=N` hint, less a second of margin; Infinity without one. */
export function keepAliveMs(headers: ResponseHead['headers']): number {
  const match = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(getHeader(headers, 'keep-alive') ?? '');
  return match === null ? Infinity : (Number(match[1]) - 1) * 1000;
}

/** The guest will take another request on this connection once the answer is read. */
export function guestKeepsConnection(answer: ResponseHead, framing: BodyFraming): boolean {
  return answer.version === 'HTTP/1.1' && framing.kind !== 'close' && !connectionHas(answer.headers, 'close');
}
