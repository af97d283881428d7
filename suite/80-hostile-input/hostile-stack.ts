import { loadHostileCorpus } from '../../fixtures/hostile-input/hostile-corpus.js';
import type { ClauseContext } from '../harness/clause.js';
import { call } from '../harness/proxy-client.js';
import { sendRaw, type RawConnection } from '../support/http/raw-connection.js';
import { startScriptedGuest, type GuestRequest, type GuestScript } from '../support/http/scripted-guest.js';
import type { TolerantResponseHead } from '../support/http/tolerant-head.js';
import { ClauseViolationError } from '../support/suite-errors.js';

/** The fixed corpus (fixtures/hostile-input/corpus.json). */
export const HOSTILE_CORPUS = loadHostileCorpus();

/** A marker that names the smuggled request; it must never appear in anything a guest receives. */
export const SMUGGLED = 'smuggled-9f3c';

/** The request a smuggling attempt hides after its first request on the same connection. */
export const SMUGGLED_REQUEST = `DELETE /v1.41/containers/${SMUGGLED}?force=1 HTTP/1.1\r\nHost: berth\r\nContent-Length: 0\r\n\r\n`;

/** How long the proxy gets to answer and close a hostile connection: generous for a loaded machine. */
const CLOSE_DEADLINE_MS = 10_000;

/** Answers like a dockerd that has nothing: /_ping 200, everything else 404 with a Docker error. */
const emptyDaemon: GuestScript = (exchange) => {
  if (/^(\/v[0-9.]+)?\/_ping$/.test(exchange.request.target)) {
    exchange.answer(
      'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK',
    );
    return;
  }
  const body = '{"message":"No such container: scripted"}\n';
  exchange.answer(
    `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
};

export interface HostileStack {
  /** The proxy's socket. */
  readonly proxy: string;
  /** Every complete request either guest received so far (probes included), in arrival order. */
  received(): readonly GuestRequest[];
}

/**
 * Two scripted guests (native, amd64) that answer like empty daemons, behind the target's proxy:
 * everything that reaches a guest is recorded.
 */
export async function startHostileStack(
  context: Pick<ClauseContext, 'use' | 'onTestFinished'>,
): Promise<HostileStack> {
  const facet = context.use('proxy');
  const native = await startScriptedGuest(emptyDaemon, { name: 'native' });
  context.onTestFinished(() => native.close());
  const amd64 = await startScriptedGuest(emptyDaemon, { name: 'amd64' });
  context.onTestFinished(() => amd64.close());
  const running = await facet.start({
    roles: [
      { role: 'native', guest: native.socketPath, platforms: ['linux/arm64'] },
      { role: 'amd64', guest: amd64.socketPath, platforms: ['linux/amd64'] },
    ],
    defaultRole: 'native',
  });
  context.onTestFinished(() => running[Symbol.asyncDispose]());
  return { proxy: running.socketPath, received: () => [...native.received, ...amd64.received] };
}

/** The first answer on a connection, as the clauses judge it. */
export interface RawAnswer {
  readonly status: number;
  readonly head: TolerantResponseHead;
  /** The body by its framing (read loosely), as UTF-8. */
  readonly body: string;
}

/**
 * The first HTTP answer the proxy sent on `connection`; undefined when there is none: the proxy
 * only closed, or what it sent does not start with `HTTP/1.x <three digits>` and CRLF line ends.
 */
export function firstAnswer(connection: RawConnection): RawAnswer | undefined {
  const answer = connection.answer;
  if (answer === undefined || answer.status === undefined || answer.head.bareLf) return undefined;
  if (!/^HTTP\/1\.[01]$/.test(answer.head.version)) return undefined;
  return { status: answer.status, head: answer.head, body: answer.body.toString('utf8') };
}

/** True when `answer` carries a Docker error: JSON with a string `message`. */
export function isDockerError(answer: RawAnswer): boolean {
  if (!(answer.head.header('content-type') ?? '').startsWith('application/json')) return false;
  try {
    const parsed = JSON.parse(answer.body) as unknown;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { message?: unknown }).message === 'string'
    );
  } catch {
    return false;
  }
}

/**
 * Sends `bytes` on a fresh connection (half-closing after them with `halfClose`) and waits for
 * the proxy to close it; a proxy that keeps the connection open past `timeoutMs` breaks the clause.
 */
export async function sendExpectingClose(
  proxy: string,
  bytes: string | Buffer,
  options: { halfClose?: boolean; timeoutMs?: number } = {},
): Promise<RawConnection> {
  try {
    return await sendRaw(proxy, bytes, {
      peer: 'proxy',
      timeoutMs: options.timeoutMs ?? CLOSE_DEADLINE_MS,
      halfClose: options.halfClose === true,
    });
  } catch (error) {
    throw new ClauseViolationError(`the proxy did not close the connection: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Sends `bytes` and half-closes, so a keep-alive proxy ends the connection once it has answered. */
export function sendAndFinish(proxy: string, bytes: string | Buffer): Promise<RawConnection> {
  return sendRaw(proxy, bytes, { peer: 'proxy', halfClose: true, timeoutMs: CLOSE_DEADLINE_MS });
}

/** BAD-11: the proxy still serves a fresh connection: `GET /_ping` answers 200. */
export async function assertStillServing(proxy: string): Promise<void> {
  let status: number;
  try {
    status = (await call(proxy, 'GET', '/_ping')).status;
  } catch (error) {
    throw new ClauseViolationError(
      `the proxy stopped serving: GET /_ping failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (status !== 200)
    throw new ClauseViolationError(`the proxy stopped serving: GET /_ping answered ${status}`);
}

/** The requests among `received` that mention `marker` in their head. */
export function mentioning(received: readonly GuestRequest[], marker: string): GuestRequest[] {
  return received.filter((request) => request.head.includes(marker));
}
