import { request } from 'node:http';
import { connect } from 'node:net';
import { basename } from 'node:path';
import type { ClauseContext } from './clause.js';
import { attachLog, recordExchange } from '../support/transcript.js';
import { startSimulatedGuest, type RunningGuest } from '../support/guests.js';
import { ClauseViolationError } from '../support/suite-errors.js';

/** One answer read whole. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | object;
}

/** An HTTP/1.1 request on its own connection to a unix socket (proxy or guest). */
export function call(
  socketPath: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Answer> {
  const { body } = options;
  const isJson = body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body);
  const payload = body === undefined ? undefined : isJson ? JSON.stringify(body) : body;
  const headers: Record<string, string> = { ...options.headers };
  if (isJson) headers['content-type'] ??= 'application/json';
  if (payload !== undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const peer = basename(socketPath, '.sock');
  const sent = `${method} ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n${payload === undefined ? '' : Buffer.from(payload).toString('utf8')}`;
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ socketPath, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${res.rawHeaders
          .map((item, index) => (index % 2 === 0 ? `${item}: ` : `${item}\r\n`))
          .join('')}\r\n`;
        recordExchange(peer, sent, head + text);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('error', (error) => {
      recordExchange(peer, sent, error);
      reject(error);
    });
    req.end(payload);
  });
}

/** Sends raw bytes, optionally half-closes after `endAfterMs`, and resolves with every byte read until close. */
export function rawExchange(
  socketPath: string,
  bytes: string | Buffer,
  options: { endAfterMs?: number; timeoutMs?: number } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    attachLog(
      `${basename(socketPath, '.sock')} (raw connection)`,
      typeof bytes === 'string' ? bytes : bytes.toString('latin1'),
      () => Buffer.concat(chunks).toString('latin1'),
    );
    const timeoutMs = options.timeoutMs ?? 5000;
    const timer = setTimeout(() => {
      socket.destroy();
      const got = JSON.stringify(Buffer.concat(chunks).toString('latin1'));
      reject(new Error(`the connection did not close within ${timeoutMs} ms; got ${got}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(bytes);
    if (options.endAfterMs !== undefined) setTimeout(() => socket.end(), options.endAfterMs);
  });
}

/** The payloads of a stdcopy-multiplexed stream, concatenated. */
export function demux(bytes: Buffer): string {
  let out = '';
  for (let at = 0; at + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(at + 4);
    out += bytes.toString('utf8', at + 8, at + 8 + size);
    at += 8 + size;
  }
  return out;
}

export interface TwoRoleStack {
  readonly native: RunningGuest;
  readonly amd64: RunningGuest;
  /** The proxy's socket. */
  readonly proxy: string;
}

/** Two simulated guests (native arm64, amd64) behind a fresh proxy of the target, not yet closed. */
export interface OpenTwoRoleStack extends TwoRoleStack {
  /** Stops the proxy, then the guests. */
  readonly running: AsyncDisposable;
}

/**
 * Starts two simulated guests (native arm64, the default role, and amd64) behind a fresh proxy
 * of the target. The facet is taken first, so on a target without a proxy nothing is started;
 * the guests are closed again when the proxy fails to start.
 */
export async function openTwoRoleStack(
  context: Pick<ClauseContext, 'use'>,
  options: { handshakeTimeoutMs?: number } = {},
): Promise<OpenTwoRoleStack> {
  const facet = context.use('proxy');
  const native = await startSimulatedGuest({ name: 'native', architecture: 'arm64' });
  const amd64 = await startSimulatedGuest({ name: 'amd64', architecture: 'amd64' });
  const running = await facet
    .start({
      roles: [
        { role: 'native', guest: native.socketPath, platforms: ['linux/arm64'] },
        { role: 'amd64', guest: amd64.socketPath, platforms: ['linux/amd64'] },
      ],
      defaultRole: 'native',
      ...options,
    })
    .catch(async (error: unknown) => {
      await native.close();
      await amd64.close();
      throw error;
    });
  return { native, amd64, proxy: running.socketPath, running };
}

/** Two simulated guests (native arm64, amd64) behind the target's proxy; all closed after the test. */
export async function startTwoRoleStack(
  context: Pick<ClauseContext, 'use' | 'onTestFinished'>,
  options: { handshakeTimeoutMs?: number } = {},
): Promise<TwoRoleStack> {
  const { native, amd64, proxy, running } = await openTwoRoleStack(context, options);
  context.onTestFinished(async () => {
    await running[Symbol.asyncDispose]();
    await native.close();
    await amd64.close();
  });
  return { native, amd64, proxy };
}

export const IMAGE = 'local/busybox:1';

/** Creates (and by default starts) a container through `socketPath`; returns its Id. */
export async function createContainer(
  socketPath: string,
  options: { name?: string; platform?: string; cmd?: string[]; start?: boolean } = {},
): Promise<string> {
  const query = new URLSearchParams();
  if (options.name !== undefined) query.set('name', options.name);
  if (options.platform !== undefined) query.set('platform', options.platform);
  const qs = query.toString();
  const created = await call(socketPath, 'POST', `/v1.41/containers/create${qs === '' ? '' : `?${qs}`}`, {
    body: { Image: IMAGE, Cmd: options.cmd ?? ['sleep', '60'] },
  });
  if (created.status !== 201)
    throw new ClauseViolationError(`create answered ${created.status}: ${created.text}`);
  const id = created.json<{ Id: string }>().Id;
  if (options.start !== false) {
    const started = await call(socketPath, 'POST', `/v1.41/containers/${id}/start`);
    if (started.status !== 204)
      throw new ClauseViolationError(`start answered ${started.status}: ${started.text}`);
  }
  return id;
}

/** True when the guest at `socketPath` has a container with this identifier. */
export async function guestHas(socketPath: string, identifier: string): Promise<boolean> {
  return (await call(socketPath, 'GET', `/v1.41/containers/${identifier}/json`)).status === 200;
}
