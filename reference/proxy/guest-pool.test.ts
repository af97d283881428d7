import { Buffer } from 'node:buffer';
import { createServer as createNetServer, type Socket } from 'node:net';
import { Client } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import { UnixSocketConnector } from '../transport/index.js';
import { startKeepAliveGuest, type KeepAliveHandler } from '../../suite/support/guests.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { GuestPool } from './guest-pool.js';
import { startProxy } from './index.js';

useLeakCheck();

interface Guest {
  readonly path: string;
  /** Connections the guest has accepted. */
  readonly connections: readonly Socket[];
  /** `METHOD target` of every request, in order. */
  readonly requests: readonly string[];
}

const answerOk: KeepAliveHandler = (req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('Content-Type', 'text/plain');
    res.end('OK');
  });
};

/** The second request on any connection finds it closed: a kept connection that died idle. */
const dropSecondRequest: KeepAliveHandler = (req, res, nth) => {
  if (nth === 2) req.socket.destroy();
  else answerOk(req, res, nth);
};

/** A real keep-alive HTTP/1.1 server (node:http) as the guest, closed after the test. */
async function startGuest(handler: KeepAliveHandler = answerOk, keepAliveTimeoutMs?: number): Promise<Guest> {
  const guest = await startKeepAliveGuest(
    handler,
    keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeoutMs },
  );
  onTestFinished(() => guest.close());
  return {
    path: guest.socketPath,
    connections: guest.connections,
    get requests() {
      return guest.received.map((request) => request.line);
    },
  };
}

async function proxyTo(guest: Guest): Promise<{ socketPath: string; close: () => Promise<void> }> {
  const socketPath = await tempSocketPath('pool-proxy');
  const connector = new UnixSocketConnector({ native: guest.path });
  const proxy = await startProxy({
    listen: `unix://${socketPath}`,
    connector,
    roles: [{ role: 'native', platforms: ['linux/amd64'] }],
    defaultRole: 'native',
    log: () => undefined,
  });
  // Both are idempotent: a test may close early, and the cleanup closes again.
  const close = async (): Promise<void> => {
    await proxy.close();
    await connector.closeAll();
  };
  onTestFinished(close);
  return { socketPath, close };
}

/** One request on the client's keep-alive connection; status and body text. */
async function send(
  client: Client,
  method: 'GET' | 'POST' | 'HEAD',
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const answer = await client.request({
    method,
    path,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  return { status: answer.statusCode, text: await answer.body.text() };
}

function clientOf(socketPath: string): Client {
  const client = new Client('http://localhost', { socketPath });
  onTestFinished(() => (client.closed || client.destroyed ? undefined : client.close()));
  return client;
}

const open = (guest: Guest): number => guest.connections.filter((socket) => !socket.destroyed).length;

describe('keep-alive guest connections', () => {
  it('sends bodyless GETs and HEADs down one kept guest connection', async () => {
    const guest = await startGuest();
    const client = clientOf((await proxyTo(guest)).socketPath);
    for (const method of ['GET', 'HEAD', 'GET'] as const) {
      const answer = await send(client, method, '/_ping');
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(method === 'HEAD' ? '' : 'OK');
    }
    expect(guest.requests).toEqual(['GET /_ping', 'HEAD /_ping', 'GET /_ping']);
    expect(guest.connections).toHaveLength(1);
  });

  it('gives a request with a body a new connection, then keeps that one too', async () => {
    const guest = await startGuest();
    const client = clientOf((await proxyTo(guest)).socketPath);
    expect((await send(client, 'GET', '/_ping')).status).toBe(200);
    expect((await send(client, 'POST', '/containers/create', '{"Image":"busybox"}')).status).toBe(200);
    expect(guest.connections).toHaveLength(2);
    expect((await send(client, 'GET', '/_ping')).status).toBe(200);
    expect((await send(client, 'GET', '/_ping')).status).toBe(200);
    expect(guest.connections).toHaveLength(2);
    expect(guest.requests).toHaveLength(4);
  });

  it('sends a GET once more on a new connection when the kept one dies before answering', async () => {
    const guest = await startGuest(dropSecondRequest);
    const client = clientOf((await proxyTo(guest)).socketPath);
    expect(await send(client, 'GET', '/a')).toEqual({ status: 200, text: 'OK' });
    expect(await send(client, 'GET', '/b')).toEqual({ status: 200, text: 'OK' });
    expect(guest.requests).toEqual(['GET /a', 'GET /b', 'GET /b']);
    expect(guest.connections).toHaveLength(2);
  });

  it('never sends a POST down a kept connection, so a dead one cannot lose it', async () => {
    const guest = await startGuest(dropSecondRequest);
    const client = clientOf((await proxyTo(guest)).socketPath);
    expect((await send(client, 'GET', '/a')).status).toBe(200);
    expect(await send(client, 'POST', '/networks/create', '{}')).toEqual({ status: 200, text: 'OK' });
    expect(guest.requests).toEqual(['GET /a', 'POST /networks/create']);
  });

  it('does not keep a connection the guest asked to close or hinted to time out within a second', async () => {
    const closing = await startGuest((req, res, nth) => {
      res.setHeader('Connection', 'close');
      answerOk(req, res, nth);
    });
    const closingClient = clientOf((await proxyTo(closing)).socketPath);
    for (let i = 0; i < 3; i++) expect((await send(closingClient, 'GET', '/_ping')).status).toBe(200);
    expect(closing.connections).toHaveLength(3);

    // node:http says `Keep-Alive: timeout=1` for 1.5 s: less a second of margin, nothing is left.
    const brief = await startGuest(answerOk, 1500);
    const briefClient = clientOf((await proxyTo(brief)).socketPath);
    for (let i = 0; i < 3; i++) expect((await send(briefClient, 'GET', '/_ping')).status).toBe(200);
    expect(brief.connections).toHaveLength(3);
  });

  it('does not keep a connection whose answer had bytes past its end', async () => {
    const guest = await startGuest((req, res) => {
      req.resume();
      // Content-Length 2, then stray bytes on the wire.
      res.socket?.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOKstray');
    });
    const client = clientOf((await proxyTo(guest)).socketPath);
    expect(await send(client, 'GET', '/a')).toEqual({ status: 200, text: 'OK' });
    await expect.poll(() => open(guest)).toBe(0);
  });

  it('closes its kept connections when the proxy closes', async () => {
    const guest = await startGuest();
    const proxy = await proxyTo(guest);
    const client = clientOf(proxy.socketPath);
    expect((await send(client, 'GET', '/_ping')).status).toBe(200);
    expect(open(guest)).toBe(1);
    await client.close();
    await proxy.close();
    await expect.poll(() => open(guest)).toBe(0);
  });
});

describe('GuestPool', () => {
  async function rawGuest(): Promise<{ path: string; sockets: Socket[] }> {
    const path = await tempSocketPath('pool-raw');
    const sockets: Socket[] = [];
    const server = createNetServer((socket) => {
      socket.on('error', () => undefined);
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    onTestFinished(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    return { path, sockets };
  }

  async function poolOn(path: string, options: ConstructorParameters<typeof GuestPool>[1] = {}) {
    const connector = new UnixSocketConnector({ native: path });
    const pool = new GuestPool(connector, options);
    onTestFinished(async () => {
      pool.close();
      await connector.closeAll();
    });
    return pool;
  }

  it('lends the most recently returned connection and opens new ones only when none is idle', async () => {
    const guest = await rawGuest();
    const pool = await poolOn(guest.path);
    const a = await pool.acquire('native', undefined, true);
    const b = await pool.acquire('native', undefined, true);
    expect([a.reused, b.reused]).toEqual([false, false]);
    pool.release('native', a);
    pool.release('native', b);
    expect(pool.idleCount('native')).toBe(2);
    const again = await pool.acquire('native', undefined, true);
    expect(again.reused).toBe(true);
    expect(again.stream).toBe(b.stream);
    const fresh = await pool.acquire('native', undefined, false);
    expect(fresh.reused).toBe(false);
    expect(pool.idleCount('native')).toBe(1);
    again.stream.destroy();
    fresh.stream.destroy();
  });

  it('drops an idle connection on its deadline, on any byte from the guest and on its FIN', async () => {
    const guest = await rawGuest();
    const pool = await poolOn(guest.path, { idleTimeoutMs: 50 });
    const timed = await pool.acquire('native', undefined, true);
    pool.release('native', timed);
    await expect.poll(() => timed.stream.destroyed).toBe(true);
    expect(pool.idleCount('native')).toBe(0);

    const chatty = await pool.acquire('native', undefined, true);
    const ended = await pool.acquire('native', undefined, true);
    pool.release('native', chatty, 10_000);
    pool.release('native', ended, 10_000);
    await expect.poll(() => guest.sockets.length).toBe(3);
    guest.sockets[1]!.write(Buffer.from('unexpected'));
    guest.sockets[2]!.end();
    await expect.poll(() => chatty.stream.destroyed && ended.stream.destroyed).toBe(true);
    expect(pool.idleCount('native')).toBe(0);
  });

  it('does not keep a connection the guest wrote to while it was lent out', async () => {
    const guest = await rawGuest();
    const pool = await poolOn(guest.path);
    const lease = await pool.acquire('native', undefined, true);
    await expect.poll(() => guest.sockets.length).toBe(1);
    // Stray bytes after the exchange, still in the socket when the lease comes back.
    guest.sockets[0]!.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nSTALE');
    await expect.poll(() => lease.stream.readableLength).toBeGreaterThan(0);
    pool.release('native', lease);
    expect(lease.stream.destroyed).toBe(true);
    expect(pool.idleCount('native')).toBe(0);
  });

  it('lends nothing to a request whose client is already gone', async () => {
    const guest = await rawGuest();
    const pool = await poolOn(guest.path);
    const kept = await pool.acquire('native', undefined, true);
    pool.release('native', kept);
    const gone = new AbortController();
    gone.abort();
    await expect(pool.acquire('native', gone.signal, true)).rejects.toMatchObject({ status: 502 });
    expect(pool.idleCount('native')).toBe(1);
    expect(kept.stream.destroyed).toBe(false);
  });

  it('drops a connection on its own shorter deadline, whatever was released before', async () => {
    const guest = await rawGuest();
    const pool = await poolOn(guest.path);
    const long = await pool.acquire('native', undefined, true);
    const short = await pool.acquire('native', undefined, true);
    pool.release('native', long, 10_000);
    pool.release('native', short, 50);
    // Well inside the long connection's 10 s deadline.
    await expect.poll(() => short.stream.destroyed, { timeout: 8000 }).toBe(true);
    expect(long.stream.destroyed).toBe(false);
    expect(pool.idleCount('native')).toBe(1);
  });

  it('keeps at most maxIdlePerRole and closes the rest, and everything once closed', async () => {
    const guest = await rawGuest();
    const pool = await poolOn(guest.path, { maxIdlePerRole: 1 });
    const a = await pool.acquire('native', undefined, true);
    const b = await pool.acquire('native', undefined, true);
    pool.release('native', a);
    pool.release('native', b);
    expect(pool.idleCount('native')).toBe(1);
    expect(b.stream.destroyed).toBe(true);
    pool.close();
    expect(a.stream.destroyed).toBe(true);
    const late = await pool.acquire('native', undefined, true);
    pool.release('native', late);
    expect(late.stream.destroyed).toBe(true);
  });
});
