import type { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { Role } from '../../protocol/connector.js';
import type { RequestHead } from '../../protocol/http-head.js';
import { getHeader, type HeaderList } from '../../protocol/header-list.js';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import { connectionHas } from '../../protocol/http/hop-by-hop.js';
import { requestFraming } from '../../protocol/http/request-framing.js';
import { bridgeUpgrade } from '../bridge/index.js';
import { BOOKKEEPING, canonicalId } from './bookkeeping.js';
import type { ByteReader } from './byte-reader.js';
import { chooseRole } from './choose-role.js';
import { ClientBody, HeldBody } from './client-body.js';
import { answerErrorAfterBody, writeErrorAnswer } from './error-answer.js';
import { wantsUpgrade } from './forwarded-headers.js';
import { AnswerBrokenError, forwardRequest } from './forward-request.js';
import type { ProxyContext } from './proxy-context.js';
import { isProxyError } from './proxy-errors.js';
import { parseRequestRoute, type RequestRoute } from './request-route.js';
import { isDetachedExecStart } from './sniff-json.js';

/** Bodies the proxy must hold whole (upgrade requests, exec start): JSON of a few hundred bytes. */
const MAX_HELD_BODY = 1024 * 1024;

/** What became of the client connection once one request was served. */
export type Outcome = 'keep-alive' | 'close' | 'handed-off';

/** One request as the dispatch sees it. */
interface Served {
  readonly context: ProxyContext;
  readonly client: Duplex;
  readonly reader: ByteReader;
  readonly head: RequestHead;
  readonly route: RequestRoute;
  readonly body: ClientBody;
  readonly keepAlive: boolean;
  readonly signal: AbortSignal;
}

function wantsKeepAlive(head: RequestHead): boolean {
  if (connectionHas(head.headers, 'close')) return false;
  return head.version === 'HTTP/1.1' || connectionHas(head.headers, 'keep-alive');
}

/** Request fields for the bridge: the body is now whole, so its length is the only framing. */
function heldBodyHeaders(headers: HeaderList, length: number): [string, string][] {
  const drop = new Set(['content-length', 'transfer-encoding', 'expect']);
  const kept: [string, string][] = headers
    .filter(([name]) => !drop.has(name.toLowerCase()))
    .map(([name, value]) => [name, value]);
  kept.push(['Content-Length', String(length)]);
  return kept;
}

/**
 * Serves one request read from the client: the framing checked, the role chosen, then either a
 * streamed forward (with its bookkeeping) or the upgrade bridge, which takes the connection over.
 */
export async function serveRequest(
  context: ProxyContext,
  client: Duplex,
  reader: ByteReader,
  head: RequestHead,
  signal: AbortSignal,
): Promise<Outcome> {
  let framing: BodyFraming;
  try {
    framing = requestFraming(head.headers);
  } catch (error) {
    writeErrorAnswer(client, 400, `bad request: ${(error as Error).message}`, true);
    return 'close';
  }
  const expect = getHeader(head.headers, 'expect')?.toLowerCase() === '100-continue';
  const body = new ClientBody(reader, client, framing, expect);
  const route = parseRequestRoute(head.method, head.target);
  const served: Served = {
    context,
    client,
    reader,
    head,
    route,
    body,
    keepAlive: wantsKeepAlive(head),
    signal,
  };
  const answerError = async (status: number, message: string): Promise<Outcome> =>
    (await answerErrorAfterBody(client, body, served.keepAlive, status, message)) ? 'keep-alive' : 'close';
  try {
    return await dispatch(served, await chooseRole(context, route));
  } catch (error) {
    if (error instanceof AnswerBrokenError) {
      client.destroy();
      return 'close';
    }
    if (isProxyError(error)) return answerError(error.status, error.message);
    context.log(`unexpected failure serving ${head.method} ${head.target}`, error);
    return answerError(500, 'internal error: the proxy failed to serve the request');
  }
}

/**
 * HND-16/HND-17: attach, exec start and /session go through the upgrade bridge, with or without
 * an Upgrade header (the legacy hijack answers 200 and streams: P-B2, P-B3); a detached exec
 * start and everything else are plain forwards.
 */
async function dispatch(served: Served, role: Role): Promise<Outcome> {
  const { context, client, reader, head, route, body } = served;
  const upgrade = wantsUpgrade(head.headers);
  const held =
    route.action === 'attach' || route.action === 'exec-start' || route.action === 'session' || upgrade;
  if (!held) return forwardWithBookkeeping(served, role);
  const whole = await body.collect(MAX_HELD_BODY);
  if (route.action === 'exec-start' && !upgrade && isDetachedExecStart(whole))
    return forwardWithBookkeeping(served, role, whole);
  const guest = await context.guests.connect(role, served.signal);
  const rest = reader.release();
  const request = {
    method: head.method,
    target: head.target,
    headers: heldBodyHeaders(head.headers, whole.length),
    body: whole,
  };
  await bridgeUpgrade(client, rest, request, guest, { handshakeTimeoutMs: context.handshakeTimeoutMs });
  return 'handed-off';
}

/** The streamed forward, with the registry update its route's action calls for (A.4). */
async function forwardWithBookkeeping(served: Served, role: Role, heldBody?: Buffer): Promise<Outcome> {
  const { context, head, route } = served;
  const entry = BOOKKEEPING[route.action];
  const input = { context, route, role, canonical: await canonicalId(context, route, role) };
  const beforeAnswer = async (status: number, answer: Buffer | undefined): Promise<void> => {
    if (entry === undefined || status < 200 || status >= 300) return;
    try {
      await entry.record(input, answer);
    } catch (error) {
      // Bookkeeping never changes the guest's answer.
      context.log(`registry update after ${head.method} ${head.target} failed`, error);
    }
  };
  const result = await forwardRequest(context, served.client, {
    role,
    head,
    body: heldBody === undefined ? served.body : new HeldBody(heldBody),
    keepAlive: served.keepAlive,
    signal: served.signal,
    collectBody: entry?.collectBody === true,
    beforeAnswer,
  });
  return result.keepAlive ? 'keep-alive' : 'close';
}
