import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import type { ClauseContext } from '../harness/clause.js';
import { ClauseViolationError } from '../support/suite-errors.js';
import { attachLog, TRANSCRIPT_TEXT_LIMIT } from '../support/transcript.js';
import { Received } from './received.js';
import { startScriptedGuest, type GuestScript, type ScriptedGuest } from './scripted-guest.js';

export interface BridgeRig {
  readonly guest: ScriptedGuest;
  /** Opens a client connection to the proxy (half-open capable), closed after the test. */
  client(): Promise<RawClient>;
}

export interface RigOptions {
  readonly handshakeTimeoutMs?: number;
  /** Hand the scripted request to the script as soon as its head is in (see ScriptedGuest). */
  readonly atHead?: boolean;
}

/** A scripted guest behind the target's proxy as its only role. */
export async function startRig(
  context: ClauseContext,
  script: GuestScript,
  options: RigOptions = {},
): Promise<BridgeRig> {
  const facet = context.use('proxy');
  const guest = await startScriptedGuest(script, options.atHead === true ? { atHead: true } : {});
  context.onTestFinished(() => guest.close());
  const proxy = await facet.start({
    roles: [{ role: 'native', guest: guest.path }],
    defaultRole: 'native',
    ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
  });
  context.onTestFinished(() => proxy[Symbol.asyncDispose]());
  return {
    guest,
    async client() {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const opened = connect({ path: proxy.socketPath, allowHalfOpen: true });
        opened.once('connect', () => resolve(opened));
        opened.once('error', reject);
      });
      socket.on('error', () => undefined);
      context.onTestFinished(() => {
        socket.destroy();
      });
      return new RawClient(socket);
    },
  };
}

export interface ResponseHeadView {
  readonly status: number;
  readonly head: string;
  readonly headers: readonly (readonly [string, string])[];
  /** Every value of a header (case-insensitive). */
  values(name: string): string[];
}

export function parseResponseHead(head: string): ResponseHeadView {
  const [statusLine = '', ...lines] = head.slice(0, -4).split('\r\n');
  const headers = lines.map((line): readonly [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  return {
    status: Number(statusLine.split(' ')[1]),
    head,
    headers,
    values: (name) =>
      headers.filter(([field]) => field.toLowerCase() === name.toLowerCase()).map(([, v]) => v),
  };
}

/** A raw HTTP/1.1 client connection to the proxy. */
export class RawClient {
  readonly received: Received;
  private sent: Buffer[] = [];
  private sentBytes = 0;

  constructor(readonly socket: Socket) {
    this.received = new Received(socket);
    // Both directions of the connection go into the clause's transcript if it fails.
    attachLog(
      'proxy (raw connection)',
      () => Buffer.concat(this.sent).toString('latin1'),
      () => this.received.bytes.subarray(0, TRANSCRIPT_TEXT_LIMIT).toString('latin1'),
    );
  }

  send(bytes: string | Buffer): void {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    if (this.sentBytes < TRANSCRIPT_TEXT_LIMIT) {
      this.sent.push(data.subarray(0, TRANSCRIPT_TEXT_LIMIT - this.sentBytes));
      this.sentBytes += Math.min(data.length, TRANSCRIPT_TEXT_LIMIT - this.sentBytes);
    }
    this.socket.write(data);
  }

  /** Waits for the response head. */
  async head(timeoutMs?: number): Promise<ResponseHeadView> {
    const text = await this.received.includes('\r\n\r\n', timeoutMs);
    return parseResponseHead(text.slice(0, text.indexOf('\r\n\r\n') + 4));
  }

  /** What came after the head so far. */
  body(head: ResponseHeadView): Buffer {
    return this.received.bytes.subarray(Buffer.byteLength(head.head, 'latin1'));
  }

  /** Waits for the response head and a clean end; returns the head and everything after it. */
  async response(timeoutMs?: number): Promise<{ head: ResponseHeadView; body: Buffer }> {
    const head = await this.head(timeoutMs);
    await this.received.end(timeoutMs);
    return { head, body: this.body(head) };
  }
}

/** Decodes a chunked body the client received; fails the clause on bad chunking. */
export function dechunkBody(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at, 'latin1');
    const size = Number.parseInt(body.toString('latin1', at, lineEnd), 16);
    if (lineEnd < 0 || Number.isNaN(size)) throw new ClauseViolationError(`bad chunked body at byte ${at}`);
    at = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(at, at + size));
    at += size + 2;
  }
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
