import { Buffer } from 'node:buffer';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ConnectOptions, Connector, Role } from '../../protocol/connector.js';
import { FaultyConnector, listenUnix, tempSocketPath, type FaultPlan } from '../../simulators/vsock/index.js';
import { UnixSocketConnector } from '../transport/index.js';
import { startSimulatedGuest } from '../../suite/support/guests.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { startProxy, type RunningProxy } from './index.js';

useLeakCheck();

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One HTTP/1.1 request on its own connection; the whole answer. */
function call(socketPath: string, method: string, path: string, body?: object): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> =
    payload === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) };
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The `message` of a Docker JSON error: `{"message": "..."}` and nothing else. */
function dockerMessage(answer: Answer): string {
  expect(answer.headers['content-type']).toBe('application/json');
  const parsed = JSON.parse(answer.text) as Record<string, unknown>;
  expect(Object.keys(parsed)).toEqual(['message']);
  expect(typeof parsed.message).toBe('string');
  return parsed.message as string;
}

/** Counts connect() calls per role on the way to `inner`. */
function countingConnector(inner: Connector): Connector & { readonly connects: Map<Role, number> } {
  const connects = new Map<Role, number>();
  return {
    roles: inner.roles,
    connects,
    connect(role: Role, options?: ConnectOptions): Promise<Duplex> {
      connects.set(role, (connects.get(role) ?? 0) + 1);
      return inner.connect(role, options);
    },
  };
}

const ROLES = [
  { role: 'native', platforms: ['linux/arm64'] },
  { role: 'amd64', platforms: ['linux/amd64'] },
];

/** A proxy on a fresh unix socket in front of `connector`; closed (with the connector) after the test. */
async function proxyOn(
  connector: Connector & { closeAll?: () => Promise<void> },
  closeConnector: () => Promise<void>,
): Promise<{ socketPath: string; proxy: RunningProxy; logged: string[] }> {
  const socketPath = await tempSocketPath('proxy');
  const logged: string[] = [];
  const proxy = await startProxy({
    listen: `unix://${socketPath}`,
    connector,
    roles: ROLES,
    defaultRole: 'native',
    handshakeTimeoutMs: 1000,
    log: (message) => logged.push(message),
  });
  onTestFinished(async () => {
    await proxy.close();
    await closeConnector();
  });
  return { socketPath, proxy, logged };
}

/** A healthy simulated native guest; `amd64Path` is whatever the test puts behind amd64. */
async function nativeGuest(): Promise<string> {
  const guest = await startSimulatedGuest({ name: 'native', architecture: 'arm64' });
  onTestFinished(() => guest.close());
  return guest.socketPath;
}

/** Faults for the amd64 role only, over unix-socket connections to both guests. */
async function faultyStack(
  amd64Path: string,
  plan: FaultPlan,
  connectTimeoutMs = 5000,
): Promise<{ socketPath: string; proxy: RunningProxy; faulty: FaultyConnector }> {
  const unix = new UnixSocketConnector(
    { native: await nativeGuest(), amd64: amd64Path },
    { connectTimeoutMs },
  );
  const faulty = new FaultyConnector(unix, plan, { connectTimeoutMs });
  const { socketPath, proxy } = await proxyOn(faulty, async () => {
    await faulty.closeAll();
    await unix.closeAll();
  });
  return { socketPath, proxy, faulty };
}

async function expectNativeServes(socketPath: string): Promise<void> {
  const version = await call(socketPath, 'GET', '/v1.41/version');
  expect(version.status, version.text).toBe(200);
  expect((JSON.parse(version.text) as { Arch: string }).Arch).toBe('arm64');
}

const createAmd64 = (socketPath: string): Promise<Answer> =>
  call(socketPath, 'POST', '/v1.41/containers/create?platform=linux/amd64', {
    Image: 'local/busybox:1',
    Cmd: ['true'],
  });

/** Raw bytes to `socketPath`; resolves with everything read once the connection closes (or errors). */
function rawUntilClosed(socketPath: string, bytes: string, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `still open after ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString())}`,
        ),
      );
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(bytes);
  });
}

describe('proxy: unreachable and failing guests', () => {
  it('answers 504 naming the role when the guest never accepts, within the connect deadline, and keeps serving', async () => {
    const amd64 = await tempSocketPath('amd64');
    const { socketPath } = await faultyStack(amd64, { byRole: { amd64: [{ kind: 'connect-stall' }] } }, 200);
    const started = Date.now();
    const answer = await createAmd64(socketPath);
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(504);
    const message = dockerMessage(answer);
    expect(message).toContain("'amd64'");
    expect(message).toMatch(/timeout/);
    expect(elapsed, 'answered once the 200 ms connect timeout fired').toBeGreaterThanOrEqual(150);
    expect(elapsed, 'and not much later').toBeLessThan(2000);
    await expectNativeServes(socketPath);
    expect((await createAmd64(socketPath)).status, 'a second stalled connect fails the same way').toBe(504);
    await expectNativeServes(socketPath);
  });

  it('answers 502 naming the role when the guest refuses, and keeps serving', async () => {
    const absent = await tempSocketPath('absent'); // nothing listens here
    const native = await nativeGuest();
    const unix = new UnixSocketConnector({ native, amd64: absent }, { connectTimeoutMs: 1000 });
    const { socketPath } = await proxyOn(unix, () => unix.closeAll());
    const answer = await createAmd64(socketPath);
    expect(answer.status).toBe(502);
    const message = dockerMessage(answer);
    expect(message).toContain("'amd64'");
    expect(message).toMatch(/unavailable/);
    await expectNativeServes(socketPath);
  });

  it('closes the client connection (no hang) when the guest resets in the middle of a streamed body, and keeps serving', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n';
    const amd64Path = await tempSocketPath('amd64');
    // The guest sends the head, then (once the proxy has relayed it) 64 of the 1000 body bytes
    // it promised, and waits forever; the reset cuts the connection 32 bytes into the body.
    const listener = await listenUnix(amd64Path, (socket) => {
      (socket as Socket).on('error', () => undefined);
      socket.once('data', () => {
        socket.write(head);
        const timer = setTimeout(() => socket.write('x'.repeat(64)), 50);
        socket.once('close', () => clearTimeout(timer));
      });
    });
    onTestFinished(() => listener.close());
    const { socketPath, proxy, faulty } = await faultyStack(amd64Path, {
      byRole: {
        amd64: [{ kind: 'reset', afterBytes: Buffer.byteLength(head) + 32, direction: 'to-client' }],
      },
    });
    const id = 'f'.repeat(64);
    proxy.registry.record(id, 'amd64');
    const got = await rawUntilClosed(
      socketPath,
      `GET /v1.41/containers/${id}/logs?stdout=1 HTTP/1.1\r\nHost: x\r\n\r\n`,
      3000,
    );
    const text = got.toString('latin1');
    expect(faulty.records()[0]?.fired, 'the reset fired').toEqual(['reset']);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.length - text.indexOf('\r\n\r\n') - 4, 'fewer body bytes than promised').toBeLessThan(1000);
    await expectNativeServes(socketPath);
  });
});

describe('proxy: a guest reset before its answer head', () => {
  it('answers 502 naming the role and keeps the client connection usable', async () => {
    const amd64Path = await tempSocketPath('amd64');
    const listener = await listenUnix(amd64Path, (socket) => {
      (socket as Socket).on('error', () => undefined);
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    });
    onTestFinished(() => listener.close());
    const { socketPath, proxy } = await faultyStack(amd64Path, {
      byRole: { amd64: [{ kind: 'reset', afterBytes: 10, direction: 'to-client' }] },
    });
    const id = 'e'.repeat(64);
    proxy.registry.record(id, 'amd64');
    const answer = await call(socketPath, 'GET', `/v1.41/containers/${id}/json`);
    expect(answer.status).toBe(502);
    expect(dockerMessage(answer)).toContain("'amd64'");
    await expectNativeServes(socketPath);
  });
});

describe('proxy: a client that gives up on a guest that never answers', () => {
  it('closes the guest connection and the client connection once the client ends its side (FLT-6)', async () => {
    const amd64Path = await tempSocketPath('amd64');
    const guestSockets: Socket[] = [];
    // The guest reads the request and never answers; it only closes once the proxy does.
    const listener = await listenUnix(amd64Path, (socket) => {
      const guest = socket as Socket;
      guestSockets.push(guest);
      guest.on('error', () => undefined);
      guest.on('end', () => guest.end());
      guest.resume();
    });
    onTestFinished(() => listener.close());
    const { socketPath, proxy } = await faultyStack(amd64Path, {});
    const id = 'd'.repeat(64);
    proxy.registry.record(id, 'amd64');
    const client = connect({ path: socketPath, allowHalfOpen: true });
    client.on('error', () => undefined);
    onTestFinished(() => void client.destroy());
    const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.write(`POST /v1.41/containers/${id}/wait HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
    await expect.poll(() => guestSockets.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.end();
    await expect.poll(() => guestSockets[0]?.closed).toBe(true);
    client.on('end', () => client.end());
    client.resume();
    await clientClosed;
    await expectNativeServes(socketPath);
  });
});

describe('proxy: registry ambiguity', () => {
  it('answers 409 naming a short ID two roles share, without contacting any guest', async () => {
    const native = await tempSocketPath('native');
    const amd64 = await tempSocketPath('amd64');
    const unix = new UnixSocketConnector({ native, amd64 });
    const counting = countingConnector(unix);
    const { socketPath, proxy } = await proxyOn(counting, () => unix.closeAll());
    const prefix = 'abcdef012345';
    proxy.registry.record(prefix + '0'.repeat(52), 'native');
    proxy.registry.record(prefix + '1'.repeat(52), 'amd64');
    const answer = await call(socketPath, 'GET', `/v1.41/containers/${prefix}/json`);
    expect(answer.status).toBe(409);
    expect(answer.text.endsWith('}\n')).toBe(true);
    const message = dockerMessage(answer);
    expect(message).toContain(`'${prefix}'`);
    expect(message).toMatch(/ambiguous/);
    expect(
      [...counting.connects.values()].reduce((a, b) => a + b, 0),
      'no guest was contacted',
    ).toBe(0);
    // Either full ID still routes (here to guests that are absent: 502 naming that role).
    const full = await call(socketPath, 'GET', `/v1.41/containers/${prefix}${'1'.repeat(52)}/json`);
    expect(full.status).toBe(502);
    expect(dockerMessage(full)).toContain("'amd64'");
    expect(counting.connects.get('amd64')).toBe(1);
  });
});

describe('proxy: BuildKit session upgrade', () => {
  it('bridges POST /session with Upgrade: h2c to the default role and relays bytes both ways', async () => {
    const nativePath = await tempSocketPath('native');
    const heads: string[] = [];
    const listener = await listenUnix(nativePath, (socket) => {
      (socket as Socket).on('error', () => undefined);
      let buffer = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        buffer = Buffer.concat([buffer, chunk]);
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.removeListener('data', onData);
        heads.push(buffer.toString('latin1', 0, end));
        socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nguest-hello;');
        const rest = buffer.subarray(end + 4);
        if (rest.length > 0) socket.write(Buffer.concat([Buffer.from('echo:'), rest]));
        socket.on('data', (more: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), more])));
        socket.on('end', () => socket.end());
      };
      socket.on('data', onData);
    });
    onTestFinished(() => listener.close());
    const amd64 = await tempSocketPath('amd64');
    const unix = new UnixSocketConnector({ native: nativePath, amd64 });
    const counting = countingConnector(unix);
    const { socketPath } = await proxyOn(counting, () => unix.closeAll());

    const client = connect({ path: socketPath, allowHalfOpen: true });
    client.on('error', () => undefined);
    onTestFinished(() => void client.destroy());
    let received = '';
    const waitFor = (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} in ${JSON.stringify(received)}`)),
          3000,
        );
        const check = (): void => {
          if (!pattern.test(received)) return;
          clearTimeout(timer);
          client.removeListener('data', check);
          resolve();
        };
        client.on('data', check);
        check();
      });
    client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    client.write(
      'POST /session HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n' +
        'X-Docker-Expose-Session-Uuid: s1\r\nContent-Length: 0\r\n\r\n',
    );
    await waitFor(/guest-hello;/);
    const [head = ''] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head).toMatch(/\r\nupgrade: h2c(\r\n|$)/i);
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatch(/^POST \/session HTTP\/1\.1\r\n/);
    expect(heads[0]).toMatch(/\r\nUpgrade: h2c(\r\n|$)/i);
    expect(heads[0]).toMatch(/\r\nX-Docker-Expose-Session-Uuid: s1(\r\n|$)/i);
    expect(counting.connects.get('native')).toBe(1);
    expect(counting.connects.get('amd64') ?? 0).toBe(0);

    client.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    await waitFor(/echo:PRI \* HTTP\/2\.0\r\n\r\nSM\r\n\r\n/);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('end', () => client.end());
    client.end();
    await closed;
  });
});
