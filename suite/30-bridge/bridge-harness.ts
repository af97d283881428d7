import { Buffer } from 'node:buffer';
import type { ClauseContext } from '../harness/clause.js';
import { decodeChunked } from '../support/http/chunked-decoder.js';
import { RawConnection } from '../support/http/raw-connection.js';
import {
  startScriptedGuest,
  type GuestExchange,
  type GuestRequest,
  type GuestScript,
  type ScriptedGuest,
} from '../support/http/scripted-guest.js';
import { ClauseViolationError } from '../support/suite-errors.js';

export interface BridgeRig {
  readonly guest: ScriptedGuest;
  /** Waits for the scripted request (attach, exec start or /session) to reach the guest. */
  exchange(timeoutMs?: number): Promise<GuestExchange>;
  /** Opens a client connection to the proxy (half-open capable), closed after the test. */
  client(): Promise<RawConnection>;
}

export interface RigOptions {
  readonly handshakeTimeoutMs?: number;
  /** Hand the scripted request to the script as soon as its head is in (see ScriptedGuestOptions). */
  readonly atHead?: boolean;
}

/** The requests a script handles: attach, exec start and BuildKit /session. */
const SCRIPTED = /\/(containers\/[^/?]+\/attach|exec\/[^/?]+\/start|session)(\?|$)/;

const isScripted = (request: GuestRequest): boolean => SCRIPTED.test(request.target);

/** The answers of a plain guest dockerd to what a proxy may ask besides the scripted request. */
function answerAside({ request, answer }: GuestExchange): void {
  const path = request.target.split('?')[0] ?? '';
  const container = /\/containers\/([^/]+)\/json$/.exec(path)?.[1];
  const exec = /\/exec\/([^/]+)\/json$/.exec(path)?.[1];
  let status = 404;
  let body = '{"message":"page not found"}\n';
  if (path.endsWith('/_ping')) [status, body] = [200, 'OK'];
  else if (container !== undefined) {
    status = 200;
    body = `${JSON.stringify({ Id: container, Name: `/${container}`, State: { Running: true }, Config: { Tty: false } })}\n`;
  } else if (exec !== undefined) {
    status = 200;
    body = `${JSON.stringify({ ID: exec, ContainerID: 'c0ffee', Running: false, ProcessConfig: { tty: false } })}\n`;
  }
  const type = status === 200 && body === 'OK' ? 'text/plain' : 'application/json';
  answer(
    `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Not Found'}\r\nApi-Version: 1.41\r\nContent-Type: ${type}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * A scripted guest behind the target's proxy as its only role. Attach, exec start and /session
 * requests go to `script`; anything else a proxy may send first (a ping, an inspect) gets a plain
 * answer.
 */
export async function startRig(
  context: ClauseContext,
  script: GuestScript,
  options: RigOptions = {},
): Promise<BridgeRig> {
  const facet = context.use('proxy');
  const guest = await startScriptedGuest(
    (exchange) => (isScripted(exchange.request) ? script(exchange) : answerAside(exchange)),
    { name: 'upgrade', ...(options.atHead === true ? { atHead: true } : {}) },
  );
  context.onTestFinished(() => guest.close());
  const proxy = await facet.start({
    roles: [{ role: 'native', guest: guest.socketPath }],
    defaultRole: 'native',
    ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
  });
  context.onTestFinished(() => proxy[Symbol.asyncDispose]());
  return {
    guest,
    exchange: (timeoutMs) => guest.exchange(isScripted, timeoutMs),
    async client() {
      const client = await RawConnection.open(proxy.socketPath, { peer: 'proxy' });
      context.onTestFinished(() => client.close());
      return client;
    },
  };
}

/** Decodes a chunked body the client received whole; fails the clause on bad or unfinished chunking. */
export function dechunked(body: Buffer): Buffer {
  const decoded = decodeChunked(body);
  if (!decoded.done || decoded.defects.length > 0) {
    throw new ClauseViolationError(`bad chunked body: ${decoded.defects.join('; ') || 'no last chunk'}`);
  }
  return decoded.body;
}

export const ATTACH_TARGET = '/v1.41/containers/c0ffee/attach?stderr=1&stdin=1&stdout=1&stream=1';

/** What the docker CLI sends for `docker attach` / `docker run` (docker-cli-traffic.md 5.3.2). */
export const ATTACH_REQUEST =
  `POST ${ATTACH_TARGET} HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n` +
  'Content-Length: 0\r\nContent-Type: text/plain\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';

/** The CLI's 29-byte exec start body (Go's JSON encoder ends it with a newline). */
export const EXEC_START_BODY = '{"Detach":false,"Tty":false}\n';

/** `docker exec` start as the CLI sends it, with upgrade headers; `body` replaces the JSON. */
export function execStartRequest(body: string = EXEC_START_BODY): string {
  return (
    'POST /v1.41/exec/e1/start HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n' +
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n${body}`
  );
}

/** dockerd's answer to an attach with Upgrade (DKR-19). */
export const UPGRADED =
  'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';
