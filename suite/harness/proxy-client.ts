import { Buffer } from 'node:buffer';
import { basename } from 'node:path';
import type { ClauseContext } from './clause.js';
import { startSimulatedGuest, type RunningGuest } from '../support/guests.js';
import { MalformedAnswerError, plainRequest, toIncomingHeaders } from '../support/http/http-call.js';
import { sendRequest } from '../support/http/send-request.js';
import { ClauseViolationError } from '../support/suite-errors.js';

/** One answer read whole. */
export interface Answer {
  readonly status: number;
  /** Names lower-cased, repeated fields joined with ", " (as node:http has them). */
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  /** A string or bytes as they are; anything else is sent as JSON. */
  readonly body?: string | Buffer | object;
  /** Deadline for the whole answer (default 15 s). */
  readonly timeoutMs?: number;
}

/**
 * An HTTP/1.1 request on its own connection to a unix socket (proxy or guest), sent and read with
 * the suite's raw client, as a plain client would (`Host: localhost`, `Connection: close`). It
 * expects a well-formed answer: one that is not (a bad head, a body cut short) rejects with a
 * MalformedAnswerError naming what was wrong, a silent peer with a NoAnswerError.
 */
export async function call(
  socketPath: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Answer> {
  const { body } = options;
  const isJson = body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body);
  const payload = body === undefined ? undefined : Buffer.from(isJson ? JSON.stringify(body) : body);
  const headers = Object.entries(options.headers ?? {});
  if (isJson && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['content-type', 'application/json']);
  }
  const request = plainRequest({ socketPath }, method, path, {
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const answer = await sendRequest(socketPath, request, {
    peer: basename(socketPath, '.sock'),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  if (answer.status === undefined || !answer.complete || answer.defects.length > 0) {
    throw new MalformedAnswerError(
      `${method} ${path}`,
      answer.defects.length > 0 ? answer.defects : ['the body was cut short'],
    );
  }
  const text = answer.body.toString('utf8');
  return {
    status: answer.status,
    headers: toIncomingHeaders(answer.head.headers),
    text,
    json: <T>() => JSON.parse(text) as T,
  };
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
