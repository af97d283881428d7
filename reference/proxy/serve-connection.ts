import type { Duplex } from 'node:stream';
import { createHeadReader } from '../../protocol/head-reader.js';
import type { RequestHead } from '../../protocol/http-head.js';
import { ByteReader } from './byte-reader.js';
import { writeErrorAnswer } from './error-answer.js';
import type { ProxyContext } from './proxy-context.js';
import { BadClientRequestError, isProxyError } from './proxy-errors.js';
import { serveRequest, type Outcome } from './serve-request.js';

/** Reads request heads until the client is done; undefined at a clean end of input. */
async function readRequestHead(reader: ByteReader): Promise<RequestHead | undefined> {
  const head = createHeadReader({ kind: 'request' });
  let seen = 0;
  for (;;) {
    const chunk = await reader.read();
    if (chunk === null) {
      if (seen === 0) return undefined;
      const end = head.end();
      throw new BadClientRequestError(end.state === 'error' ? end.error.message : 'request head incomplete');
    }
    seen += chunk.length;
    const state = head.push(chunk);
    if (state.state === 'partial') continue;
    if (state.state === 'error') {
      const tooLarge = state.error.code === 'ERR_HTTP_HEAD_TOO_LARGE';
      throw new BadClientRequestError(state.error.message, tooLarge ? 431 : 400, { cause: state.error });
    }
    reader.unshift(state.rest);
    return state.head;
  }
}

/**
 * Serves one client connection: requests one after another (keep-alive) until the client is
 * done, an upgrade hands the connection to the bridge, or something breaks.
 */
export async function serveConnection(context: ProxyContext, client: Duplex): Promise<void> {
  const reader = new ByteReader(client);
  const gone = new AbortController();
  const onClose = (): void => gone.abort();
  client.once('close', onClose);
  let outcome: Outcome = 'close';
  try {
    for (;;) {
      let head: RequestHead | undefined;
      try {
        head = await readRequestHead(reader);
      } catch (error) {
        if (isProxyError(error)) writeErrorAnswer(client, error.status, error.message, true);
        break;
      }
      if (head === undefined) break;
      outcome = await serveRequest(context, client, reader, head, gone.signal);
      if (outcome !== 'keep-alive') break;
    }
  } catch (error) {
    context.log('client connection failed', error);
    client.destroy();
    return;
  } finally {
    client.removeListener('close', onClose);
  }
  if (outcome === 'handed-off') return;
  // FIN after the last answer; with allowHalfOpen the socket closes once the client ends too.
  if (!client.destroyed) client.end();
  // BAD-2: lingering close: what the client still sends (the rest of a refused head or body) is
  // read and dropped, so its FIN can arrive instead of waiting behind unread bytes.
  reader.release();
  client.on('data', () => undefined);
  const timer = setTimeout(() => client.destroy(), 5000);
  timer.unref();
  client.once('close', () => clearTimeout(timer));
}
