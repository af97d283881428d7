import type { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import type { Role } from '../../protocol/connector.js';
import { createHeadReader } from '../../protocol/head-reader.js';
import type { RequestHead } from '../../protocol/http-head.js';
import { getHeader, type HeaderList } from '../../protocol/header-list.js';
import type { BodyFraming } from '../../protocol/http/body-framing.js';
import { encodeDockerErrorAnswer } from '../../protocol/http/docker-error-answer.js';
import { connectionHas } from '../../protocol/http/hop-by-hop.js';
import { requestFraming } from '../../protocol/http/request-framing.js';
import { bridgeUpgrade } from '../bridge/index.js';
import { ByteReader } from './byte-reader.js';
import { ClientBody, HeldBody } from './client-body.js';
import { wantsUpgrade } from './forwarded-headers.js';
import { AnswerBrokenError, forwardRequest } from './forward-request.js';
import { parsePlatform, selectRoleForPlatform } from './platform.js';
import type { ProxyContext } from './proxy-context.js';
import { BadClientRequestError, isProxyError, UnsupportedPlatformError } from './proxy-errors.js';
import { parseRequestRoute, queryValue, type RequestRoute } from './request-route.js';

/** Bodies the proxy must hold whole (upgrade requests, exec start): JSON of a few hundred bytes. */
const MAX_HELD_BODY = 1024 * 1024;
const FULL_ID = /^[0-9a-f]{64}$/;

type Outcome = 'keep-alive' | 'close' | 'handed-off';

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

function wantsKeepAlive(head: RequestHead): boolean {
  if (connectionHas(head.headers, 'close')) return false;
  return head.version === 'HTTP/1.1' || connectionHas(head.headers, 'keep-alive');
}

/** HND-4/HND-5: the create's `platform` query picks the role that runs it (501 when none does). */
function createRole(context: ProxyContext, route: RequestRoute): Role {
  const platform = queryValue(route.query, 'platform')?.trim();
  if (platform === undefined || platform === '') return context.defaultRole;
  const parsed = parsePlatform(platform);
  // Not a platform at all: the guest gives dockerd's own 400.
  if (parsed === undefined) return context.defaultRole;
  const role = selectRoleForPlatform(context.roles, parsed);
  if (role === undefined) throw new UnsupportedPlatformError(platform, context.roles);
  return role;
}

async function resolveRole(context: ProxyContext, route: RequestRoute): Promise<Role> {
  if (route.action === 'create') return createRole(context, route);
  if (route.workload?.kind === 'container') return context.resolver.containerRole(route.workload.id);
  if (route.workload?.kind === 'exec') return context.resolver.execRole(route.workload.id);
  return context.defaultRole;
}

function isDetachedExecStart(body: Buffer): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && (parsed as { Detach?: unknown }).Detach === true;
  } catch {
    return false;
  }
}

function parseId(body: Buffer | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { Id?: unknown }).Id : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

const nameFromQuery = (route: RequestRoute): string | undefined =>
  queryValue(route.query, 'name')?.replace(/^\//, '') || undefined;

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
        if (isProxyError(error) && !client.destroyed)
          client.write(encodeDockerErrorAnswer(error.status, error.message, { close: true }));
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

async function serveRequest(
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
    client.write(encodeDockerErrorAnswer(400, `bad request: ${(error as Error).message}`, { close: true }));
    return 'close';
  }
  const expect = getHeader(head.headers, 'expect')?.toLowerCase() === '100-continue';
  const body = new ClientBody(reader, client, framing, expect);
  const keepAlive = wantsKeepAlive(head);
  const route = parseRequestRoute(head.method, head.target);

  const answerError = async (status: number, message: string): Promise<Outcome> => {
    const drained = await body.discard();
    const alive = keepAlive && drained;
    if (!client.destroyed) client.write(encodeDockerErrorAnswer(status, message, { close: !alive }));
    return alive ? 'keep-alive' : 'close';
  };

  try {
    const role = await resolveRole(context, route);
    const upgrade = wantsUpgrade(head.headers);
    const held =
      route.action === 'attach' || route.action === 'exec-start' || route.action === 'session' || upgrade;
    if (!held)
      return await forwardWithBookkeeping(context, client, head, route, role, body, keepAlive, signal);

    // HND-16/HND-17: attach, exec start and /session go through the upgrade bridge, with or
    // without an Upgrade header (the legacy hijack answers 200 and streams: P-B2, P-B3).
    const whole = await body.collect(MAX_HELD_BODY);
    if (route.action === 'exec-start' && !upgrade && isDetachedExecStart(whole)) {
      return await forwardWithBookkeeping(context, client, head, route, role, body, keepAlive, signal, whole);
    }
    const guest = await context.guests.connect(role, signal);
    const rest = reader.release();
    const request = {
      method: head.method,
      target: head.target,
      headers: heldBodyHeaders(head.headers, whole.length),
      body: whole,
    };
    await bridgeUpgrade(client, rest, request, guest, { handshakeTimeoutMs: context.handshakeTimeoutMs });
    return 'handed-off';
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

/** The streamed forward, with the registry updates that the answer calls for (A.4). */
async function forwardWithBookkeeping(
  context: ProxyContext,
  client: Duplex,
  head: RequestHead,
  route: RequestRoute,
  role: Role,
  body: ClientBody,
  keepAlive: boolean,
  signal: AbortSignal,
  heldBody?: Buffer,
): Promise<Outcome> {
  const { registry, resolver } = context;
  // Rename and remove need the canonical ID; after a remove the guest can no longer say it.
  let canonical: string | undefined;
  if ((route.action === 'rename' || route.action === 'remove') && route.workload !== undefined) {
    const token = route.workload.id;
    canonical = FULL_ID.test(token) ? token : ((await resolver.inspect(role, token))?.id ?? token);
  }
  const collectBody = route.action === 'create' || route.action === 'exec-create';
  const beforeAnswer = async (status: number, answer: Buffer | undefined): Promise<void> => {
    if (status < 200 || status >= 300) return;
    try {
      if (route.action === 'create') {
        const id = parseId(answer);
        if (id === undefined) return context.log('create answered 2xx without an Id; nothing recorded');
        await registry.record(id, role);
        const name = nameFromQuery(route);
        if (name !== undefined) await registry.addAlias(id, name);
      } else if (route.action === 'exec-create') {
        const id = parseId(answer);
        if (id !== undefined) await registry.record(id, role);
      } else if (route.action === 'rename' && canonical !== undefined) {
        const name = nameFromQuery(route);
        if (name !== undefined) await registry.renameAlias(canonical, name);
      } else if (route.action === 'remove' && canonical !== undefined) {
        await registry.forget(canonical);
      }
    } catch (error) {
      // Bookkeeping never changes the guest's answer.
      context.log(`registry update after ${head.method} ${head.target} failed`, error);
    }
  };
  const result = await forwardRequest(context, client, {
    role,
    head,
    body: heldBody === undefined ? body : new HeldBody(heldBody),
    keepAlive,
    signal,
    collectBody,
    beforeAnswer,
  });
  return result.keepAlive ? 'keep-alive' : 'close';
}
