import { Buffer } from 'node:buffer';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createHeadReader } from '../../protocol/head-reader.js';
import { getHeader } from '../../protocol/header-list.js';
import type { RequestHead } from '../../protocol/http-head.js';
import { createFrameDecoder } from '../../protocol/stdcopy-decoder.js';
import { startTestDockerd, type TestDockerd } from '../../simulators/dockerd/test-dockerd.test-helper.js';
import { listenUnix, StreamReader, tempSocketPath } from '../../simulators/vsock/index.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { bridgeUpgrade, type BridgeOutcome } from './index.js';

useLeakCheck();

const PROGRAM = ['sh', '-c', 'echo out; echo err >&2; exit 3'];

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path, allowHalfOpen: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads one request head and its Content-Length body off `socket`; the rest stays for the bridge. */
function readRequest(socket: Duplex): Promise<{ head: RequestHead; body: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const reader = createHeadReader({ kind: 'request' });
    let head: RequestHead | undefined;
    let buffered: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      if (head === undefined) {
        const state = reader.push(chunk);
        if (state.state === 'error') return reject(state.error);
        if (state.state === 'partial') return;
        head = state.head;
        buffered = state.rest;
      } else {
        buffered = Buffer.concat([buffered, chunk]);
      }
      const length = Number(getHeader(head.headers, 'content-length') ?? '0');
      if (buffered.length < length) return;
      socket.off('data', onData);
      socket.pause();
      resolve({ head, body: buffered.subarray(0, length), rest: buffered.subarray(length) });
    };
    socket.on('data', onData);
  });
}

/** A test-only front: one request per connection, every one bridged to the simulated dockerd. */
async function startFront(
  dockerd: TestDockerd,
): Promise<{ path: string; outcomes: Promise<BridgeOutcome>[] }> {
  const path = await tempSocketPath('front');
  const outcomes: Promise<BridgeOutcome>[] = [];
  const listener = await listenUnix(path, (socket) => {
    outcomes.push(
      (async () => {
        const { head, body, rest } = await readRequest(socket);
        const guest = await connectUnix(dockerd.path);
        return bridgeUpgrade(
          socket,
          rest,
          { method: head.method, target: head.target, headers: head.headers, body },
          guest,
        );
      })(),
    );
  });
  onTestFinished(() => listener.close());
  return { path, outcomes };
}

interface Exchange {
  readonly client: Socket;
  readonly reader: StreamReader;
  /** The response head, once it is in. */
  head(): Promise<string>;
  /** Everything after the head, once the bridge has ended the stream. */
  body(): Promise<Buffer>;
}

async function send(frontPath: string, request: string, body = ''): Promise<Exchange> {
  const client = await connectUnix(frontPath);
  onTestFinished(() => {
    client.destroy();
  });
  const reader = new StreamReader(client);
  client.write(Buffer.from(request + body, 'latin1'));
  const head = async (): Promise<string> => {
    const text = await reader.includes('\r\n\r\n', 5000);
    return text.slice(0, text.indexOf('\r\n\r\n') + 4);
  };
  return {
    client,
    reader,
    head,
    async body() {
      const text = await reader.end(5000);
      return Buffer.from(text.slice((await head()).length), 'latin1');
    },
  };
}

function frames(bytes: Buffer): string[] {
  const result = createFrameDecoder({ mode: 'multiplexed' }).push(bytes);
  expect(result.ok).toBe(true);
  return result.frames.map((frame) => `${frame.stream}:${frame.payload.toString('utf8')}`);
}

const upgradeHeaders = 'Host: api.moby.localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n';

describe('bridgeUpgrade in front of a simulated dockerd', () => {
  it("attach: 101, the client's FIN right after it, then stdout and stderr frames until the container exits", async () => {
    await using dockerd = await startTestDockerd();
    const front = await startFront(dockerd);
    const id = await dockerd.create({ Image: 'local/busybox:1', Cmd: PROGRAM });
    const attach = await send(
      front.path,
      `POST /v1.41/containers/${id}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n${upgradeHeaders}Content-Type: text/plain\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(await attach.head()).toBe(
      'HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n',
    );
    attach.client.end();
    expect((await dockerd.request('POST', `/v1.41/containers/${id}/start`)).status).toBe(204);
    expect(frames(await attach.body())).toEqual(['stdout:out\n', 'stderr:err\n']);
    const wait = await dockerd.request('POST', `/v1.41/containers/${id}/wait`);
    expect(wait.json()).toMatchObject({ StatusCode: 3 });
    expect(await Promise.all(front.outcomes)).toEqual([{ kind: 'upgraded', status: 101 }]);
  });

  it('exec start: the JSON body reaches dockerd, frames come back and the exit code is 3', async () => {
    await using dockerd = await startTestDockerd();
    const front = await startFront(dockerd);
    const id = await dockerd.create({ Image: 'local/busybox:1', Cmd: ['sleep', '300'] });
    await dockerd.request('POST', `/v1.41/containers/${id}/start`);
    const exec = await dockerd.exec(id, { AttachStdout: true, AttachStderr: true, Cmd: PROGRAM });
    const body = '{"Detach":false,"Tty":false}';
    const start = await send(
      front.path,
      `POST /v1.41/exec/${exec}/start HTTP/1.1\r\n${upgradeHeaders}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    );
    expect(await start.head()).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
    start.client.end();
    expect(frames(await start.body())).toEqual(['stdout:out\n', 'stderr:err\n']);
    const inspect = await dockerd.request('GET', `/v1.41/exec/${exec}/json`);
    expect(inspect.json()).toMatchObject({ ExitCode: 3, Running: false });
    expect(await Promise.all(front.outcomes)).toEqual([{ kind: 'upgraded', status: 101 }]);
  });

  it('exec -i cat: early stdin sent with the request, more after the 101, then FIN; everything echoes back', async () => {
    await using dockerd = await startTestDockerd();
    const front = await startFront(dockerd);
    const id = await dockerd.create({ Image: 'local/busybox:1', Cmd: ['sleep', '300'] });
    await dockerd.request('POST', `/v1.41/containers/${id}/start`);
    const exec = await dockerd.exec(id, { AttachStdin: true, AttachStdout: true, Cmd: ['cat'] });
    const body = '{"Detach":false,"Tty":false}';
    const start = await send(
      front.path,
      `POST /v1.41/exec/${exec}/start HTTP/1.1\r\n${upgradeHeaders}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      `${body}early\n`,
    );
    await start.head();
    start.client.end('late\n');
    expect(frames(await start.body()).join('')).toBe('stdout:early\nstdout:late\n');
    const inspect = await dockerd.request('GET', `/v1.41/exec/${exec}/json`);
    expect(inspect.json()).toMatchObject({ ExitCode: 0 });
    await Promise.all(front.outcomes);
  });

  it('attach without Upgrade: the 200 raw-stream hijack is relayed whole', async () => {
    await using dockerd = await startTestDockerd();
    const front = await startFront(dockerd);
    const id = await dockerd.create({ Image: 'local/busybox:1', Cmd: PROGRAM });
    await dockerd.request('POST', `/v1.41/containers/${id}/start`);
    await dockerd.request('POST', `/v1.41/containers/${id}/wait`);
    const attach = await send(
      front.path,
      `POST /v1.41/containers/${id}/attach?logs=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
    );
    expect(await attach.head()).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n',
    );
    expect(frames(await attach.body())).toEqual(['stdout:out\n', 'stderr:err\n']);
    attach.client.end();
    expect(await Promise.all(front.outcomes)).toEqual([{ kind: 'hijacked', status: 200 }]);
  });

  it("exec start of an unknown exec: dockerd's 404 JSON is relayed as is", async () => {
    await using dockerd = await startTestDockerd();
    const front = await startFront(dockerd);
    const body = '{"Detach":false,"Tty":false}';
    const start = await send(
      front.path,
      `POST /v1.41/exec/nope/start HTTP/1.1\r\n${upgradeHeaders}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    );
    expect(await start.head()).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[^]*Connection: close\r\n\r\n$/);
    expect(JSON.parse((await start.body()).toString())).toEqual({ message: 'No such exec instance: nope' });
    start.client.end();
    expect(await Promise.all(front.outcomes)).toEqual([{ kind: 'relayed', status: 404 }]);
  });
});
