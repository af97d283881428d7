import { Buffer } from 'node:buffer';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../suite/support/leak-check.js';
import { requireRealDaemon } from '../suite/support/real-daemon-tier.js';
import { demultiplex } from './demultiplex.js';
import { parseDockerError } from './docker-error.js';
import { getHeader } from './header-list.js';
import { createHeadReader } from './head-reader.js';
import { buildRequestHead } from './http-head-builder.js';
import type { RequestHead, ResponseHead } from './http-head.js';
import { createFrameDecoder, type FrameDecoderOptions } from './stdcopy-decoder.js';
import type { StdcopyError } from './stdcopy-errors.js';
import type { Frame } from './stdcopy-frame.js';

const API = '/v1.41';
const IMAGE = 'local/busybox:1';
const LABELS = { 'berth.test': 'protocol' };
const ECHO = ['sh', '-c', 'echo out; echo err >&2'];
const STREAM_TYPES = ['application/vnd.docker.raw-stream', 'application/vnd.docker.multiplexed-stream'];
const TIMEOUT = { timeout: 30_000 };

type Endpoint = { socketPath: string } | { host: string; port: number };

function endpointOf(dockerHost: string): Endpoint {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(`http://${dockerHost.replace(/^tcp:\/\//, '')}`);
  return { host: url.hostname, port: Number(url.port || 2375) };
}

interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  chunks: Buffer[];
}

function api(dockerHost: string, method: string, path: string, json?: unknown): Promise<ApiResponse> {
  const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...endpointOf(dockerHost),
        method,
        path: `${API}${path}`,
        agent: false,
        headers: body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), chunks }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function expectStatus(response: Promise<ApiResponse>, status: number): Promise<ApiResponse> {
  const answered = await response;
  expect(answered.status, answered.body.toString()).toBe(status);
  return answered;
}

/** Containers created by the current test; afterEach force-removes them. */
const created: { dockerHost: string; id: string }[] = [];

afterEach(async () => {
  for (const { dockerHost, id } of created.splice(0)) {
    const removed = await api(dockerHost, 'DELETE', `/containers/${id}?force=1&v=1`);
    expect([204, 404]).toContain(removed.status);
  }
});
// Registered after the removal hook so it runs after it (hooks run as a stack).
useLeakCheck();

async function createContainer(dockerHost: string, config: Record<string, unknown>): Promise<string> {
  const response = await expectStatus(
    api(dockerHost, 'POST', '/containers/create', {
      Image: IMAGE,
      Labels: LABELS,
      HostConfig: { NetworkMode: 'none' },
      ...config,
    }),
    201,
  );
  const { Id } = JSON.parse(response.body.toString()) as { Id: string };
  created.push({ dockerHost, id: Id });
  return Id;
}

async function runToExit(dockerHost: string, id: string): Promise<void> {
  await expectStatus(api(dockerHost, 'POST', `/containers/${id}/start`), 204);
  const waited = await expectStatus(api(dockerHost, 'POST', `/containers/${id}/wait`), 200);
  expect(JSON.parse(waited.body.toString())).toMatchObject({ StatusCode: 0 });
}

function decodeChunks(chunks: readonly Buffer[], options: FrameDecoderOptions) {
  const decoder = createFrameDecoder(options);
  const frames: Frame[] = [];
  let error: StdcopyError | undefined;
  for (const result of [...chunks.map((chunk) => decoder.push(chunk)), decoder.end()]) {
    frames.push(...result.frames);
    error ??= result.ok ? undefined : result.error;
  }
  const text = (stream: Frame['stream']) =>
    Buffer.concat(frames.filter((frame) => frame.stream === stream).map((frame) => frame.payload)).toString();
  return { error, stdout: text('stdout'), stderr: text('stderr') };
}

interface Hijack {
  /** The daemon's response head; rejects if the socket fails or closes first. */
  readonly head: Promise<ResponseHead>;
  /** Every byte after the head, by the time the daemon closed the connection. */
  readonly stream: Promise<Buffer[]>;
  close(): void;
}

/** Writes a raw request on a new connection and reads the response head with createHeadReader. */
function hijack(dockerHost: string, head: RequestHead, body?: Buffer): Hijack {
  const endpoint = endpointOf(dockerHost);
  const socket = connect('socketPath' in endpoint ? { path: endpoint.socketPath } : endpoint);
  const reader = createHeadReader({ kind: 'response' });
  const after: Buffer[] = [];
  let headDone = false;
  let resolveHead!: (head: ResponseHead) => void;
  let rejectHead!: (error: Error) => void;
  const headPromise = new Promise<ResponseHead>((resolve, reject) => {
    resolveHead = resolve;
    rejectHead = reject;
  });
  const stream = new Promise<Buffer[]>((resolve) => socket.once('close', () => resolve(after)));
  socket.on('data', (chunk: Buffer) => {
    if (headDone) {
      after.push(chunk);
      return;
    }
    const state = reader.push(chunk);
    if (state.state === 'error') {
      rejectHead(state.error);
      socket.destroy();
    } else if (state.state === 'done') {
      headDone = true;
      // C.4: bytes that came with the head are stream bytes.
      if (state.rest.length > 0) after.push(state.rest);
      resolveHead(state.head);
    }
  });
  socket.on('error', (error) => rejectHead(error));
  socket.on('close', () => rejectHead(new Error('connection closed before the response head')));
  socket.write(buildRequestHead(head));
  if (body) socket.write(body);
  return { head: headPromise, stream, close: () => socket.destroy() };
}

function upgradeRequest(target: string, contentType: string, body: Buffer): RequestHead {
  return {
    method: 'POST',
    target: `${API}${target}`,
    version: 'HTTP/1.1',
    headers: [
      ['Host', 'localhost'],
      ['Content-Type', contentType],
      ['Content-Length', String(body.length)],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'tcp'],
    ],
  };
}

function expectUpgraded(head: ResponseHead): void {
  expect(head.status).toBe(101);
  expect(getHeader(head.headers, 'Upgrade')).toBe('tcp');
  expect(getHeader(head.headers, 'Connection')?.toLowerCase()).toBe('upgrade');
  expect(STREAM_TYPES).toContain(getHeader(head.headers, 'Content-Type'));
}

describe('real dockerd', () => {
  it('DKR-18: logs of a container without a TTY decode as stdcopy frames', TIMEOUT, async (ctx) => {
    const dockerHost = requireRealDaemon(ctx);
    const id = await createContainer(dockerHost, { Cmd: ECHO, Tty: false });
    await runToExit(dockerHost, id);
    const logs = await expectStatus(api(dockerHost, 'GET', `/containers/${id}/logs?stdout=1&stderr=1`), 200);
    expect(decodeChunks(logs.chunks, { mode: 'multiplexed', strictPadding: true })).toEqual({
      error: undefined,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    expect(demultiplex(logs.body)).toMatchObject({ ok: true });
  });

  it('DKR-18: logs of a container with a TTY are raw bytes', TIMEOUT, async (ctx) => {
    const dockerHost = requireRealDaemon(ctx);
    const id = await createContainer(dockerHost, { Cmd: ECHO, Tty: true });
    await runToExit(dockerHost, id);
    const logs = await expectStatus(api(dockerHost, 'GET', `/containers/${id}/logs?stdout=1&stderr=1`), 200);
    expect(decodeChunks(logs.chunks, { mode: 'raw' })).toEqual({
      error: undefined,
      stdout: 'out\r\nerr\r\n',
      stderr: '',
    });
    // 'o' (0x6f) is no stream type: a TTY body is not stdcopy.
    expect(decodeChunks(logs.chunks, { mode: 'multiplexed' }).error?.code).toBe('ERR_STDCOPY_BAD_STREAM');
  });

  it('DKR-19: attach with Upgrade answers 101 and then streams frames', TIMEOUT, async (ctx) => {
    const dockerHost = requireRealDaemon(ctx);
    const id = await createContainer(dockerHost, {
      Cmd: ECHO,
      Tty: false,
      AttachStdout: true,
      AttachStderr: true,
    });
    const empty = Buffer.alloc(0);
    const session = hijack(
      dockerHost,
      upgradeRequest(`/containers/${id}/attach?stream=1&stdout=1&stderr=1`, 'text/plain', empty),
    );
    try {
      const head = await session.head;
      expectUpgraded(head);
      expect(head.reason).toBe('UPGRADED');
      await expectStatus(api(dockerHost, 'POST', `/containers/${id}/start`), 204);
      const chunks = await session.stream;
      expect(decodeChunks(chunks, { mode: 'multiplexed', strictPadding: true })).toEqual({
        error: undefined,
        stdout: 'out\n',
        stderr: 'err\n',
      });
    } finally {
      session.close();
    }
  });

  it('DKR-21: exec start with Upgrade answers 101 and then streams frames', TIMEOUT, async (ctx) => {
    const dockerHost = requireRealDaemon(ctx);
    const id = await createContainer(dockerHost, { Cmd: ['sleep', '30'], Tty: false });
    await expectStatus(api(dockerHost, 'POST', `/containers/${id}/start`), 204);
    const exec = await expectStatus(
      api(dockerHost, 'POST', `/containers/${id}/exec`, {
        AttachStdout: true,
        AttachStderr: true,
        Cmd: ECHO,
      }),
      201,
    );
    const { Id: execId } = JSON.parse(exec.body.toString()) as { Id: string };
    const body = Buffer.from('{"Detach":false,"Tty":false}');
    const session = hijack(
      dockerHost,
      upgradeRequest(`/exec/${execId}/start`, 'application/json', body),
      body,
    );
    try {
      expectUpgraded(await session.head);
      const chunks = await session.stream;
      expect(decodeChunks(chunks, { mode: 'multiplexed', strictPadding: true })).toEqual({
        error: undefined,
        stdout: 'out\n',
        stderr: 'err\n',
      });
    } finally {
      session.close();
    }
  });

  it('DKR-3: a 404 body parses with parseDockerError', TIMEOUT, async (ctx) => {
    const dockerHost = requireRealDaemon(ctx);
    const missing = await expectStatus(api(dockerHost, 'GET', '/containers/nope/json'), 404);
    expect(missing.headers['content-type']).toBe('application/json');
    expect(parseDockerError(missing.body)).toBe('No such container: nope');
  });
});
