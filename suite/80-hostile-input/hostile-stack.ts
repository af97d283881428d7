import { loadHostileCorpus } from '../../fixtures/hostile-input/hostile-corpus.js';
import type { ClauseContext } from '../harness/clause.js';
import { startScriptedGuest, type ReceivedRequest, type ScriptedAnswer } from '../support/guests.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import { call, rawExchange } from '../harness/proxy-client.js';

/** The fixed corpus (fixtures/hostile-input/corpus.json). */
export const HOSTILE_CORPUS = loadHostileCorpus();

/** A marker that names the smuggled request; it must never appear in anything a guest receives. */
export const SMUGGLED = 'smuggled-9f3c';

/** The request a smuggling attempt hides after its first request on the same connection. */
export const SMUGGLED_REQUEST = `DELETE /v1.41/containers/${SMUGGLED}?force=1 HTTP/1.1\r\nHost: berth\r\nContent-Length: 0\r\n\r\n`;

/** Answers like a dockerd that has nothing: /_ping 200, everything else 404 with a Docker error. */
const emptyDaemon: ScriptedAnswer = (request, socket) => {
  const target = request.requestLine.split(' ')[1] ?? '';
  if (/^(\/v[0-9.]+)?\/_ping$/.test(target)) {
    socket.end(
      'HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK',
    );
    return;
  }
  const body = '{"message":"No such container: scripted"}\n';
  socket.end(
    `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
};

export interface HostileStack {
  /** The proxy's socket. */
  readonly proxy: string;
  /** Every complete request either guest received so far (probes included), in arrival order. */
  received(): readonly ReceivedRequest[];
}

/**
 * Two scripted guests (native, amd64) that answer like empty daemons, behind the target's proxy:
 * everything that reaches a guest is recorded.
 */
export async function startHostileStack(
  context: Pick<ClauseContext, 'use' | 'onTestFinished'>,
): Promise<HostileStack> {
  const facet = context.use('proxy');
  const native = await startScriptedGuest(emptyDaemon);
  context.onTestFinished(() => native.close());
  const amd64 = await startScriptedGuest(emptyDaemon);
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

/** The first answer in raw bytes from a connection, read loosely (the bytes may hold more). */
export interface RawAnswer {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** Parses the first HTTP answer in `bytes`; undefined when there is none (the proxy only closed). */
export function parseRawAnswer(bytes: Buffer): RawAnswer | undefined {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (match === null) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rest = text.slice(end + 4);
  const length = Number(headers.get('content-length') ?? Number.NaN);
  let body = Number.isInteger(length) ? rest.slice(0, length) : rest;
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) body = dechunkLoosely(rest);
  return { status: Number(match[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

function dechunkLoosely(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd === -1) return out;
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (!Number.isInteger(size) || size <= 0) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** True when `answer` carries a Docker error: JSON with a string `message`. */
export function isDockerError(answer: RawAnswer): boolean {
  if (!(answer.headers.get('content-type') ?? '').startsWith('application/json')) return false;
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
 * Sends `bytes` on a fresh connection and waits (up to `timeoutMs`) for the proxy to close it; a
 * proxy that keeps the connection open past that breaks the clause.
 */
export async function sendExpectingClose(
  proxy: string,
  bytes: string | Buffer,
  options: { halfClose?: boolean; timeoutMs?: number } = {},
): Promise<Buffer> {
  const payload = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  try {
    return await rawExchange(proxy, payload, {
      timeoutMs: options.timeoutMs ?? 3000,
      ...(options.halfClose === true ? { endAfterMs: 0 } : {}),
    });
  } catch (error) {
    throw new ClauseViolationError(`the proxy did not close the connection: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Sends `bytes` and half-closes, so a keep-alive proxy ends the connection once it has answered. */
export function sendAndFinish(proxy: string, bytes: string | Buffer, timeoutMs = 3000): Promise<Buffer> {
  const payload = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  return rawExchange(proxy, payload, { endAfterMs: 10, timeoutMs });
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
export function mentioning(received: readonly ReceivedRequest[], marker: string): ReceivedRequest[] {
  return received.filter((request) => request.head.includes(marker));
}
