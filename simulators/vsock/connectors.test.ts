import { link, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../protocol/errors.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { createRecordingGuest, HARNESSES } from './connector-harness.test-helper.js';
import { listenUnix, tempSocketPath } from './listen-unix.js';
import { MemoryConnector } from './memory-connector.js';
import { memorySocketProbe } from './memory-duplex-pair.js';
import { StreamReader } from './stream-reader.js';
import { UnixSocketConnector } from '../../reference/transport/unix-socket-connector.js';
import { eventually } from '../../suite/support/poll.js';

useLeakCheck([memorySocketProbe]);

describe.each(HARNESSES)('Connector contract: $name', ({ create }) => {
  it('round-trips bytes to the guest of a role', async () => {
    const guest = createRecordingGuest();
    await using harness = await create({ native: guest.sink });
    const client = await harness.connector.connect('native');
    const reader = new StreamReader(client);
    client.write('hello');
    await reader.includes('HELLO');
    client.end();
    await reader.end();
    await reader.close();
    expect(guest.connections[0]?.text).toBe('hello');
  });

  it('passes the client FIN on while the guest keeps answering', async () => {
    const guest = createRecordingGuest({
      onData: () => undefined,
      onEnd: (socket, text) => {
        socket.write(`got ${text.length} bytes, `);
        socket.end('bye');
      },
    });
    await using harness = await create({ native: guest.sink });
    const client = await harness.connector.connect('native');
    const reader = new StreamReader(client);
    client.end('request');
    expect(await reader.end()).toBe('got 7 bytes, bye');
    await reader.close();
  });

  it("passes the guest's FIN on while the client keeps sending", async () => {
    const guest = createRecordingGuest({
      onConnect: (socket) => socket.end('banner'),
      onData: () => undefined,
      onEnd: () => undefined,
    });
    await using harness = await create({ native: guest.sink });
    const client = await harness.connector.connect('native');
    const reader = new StreamReader(client);
    expect(await reader.end()).toBe('banner');
    client.end('still here');
    await reader.close();
    await eventually(() => guest.connections[0]?.ended === true, { description: 'guest saw the FIN' });
    expect(guest.connections[0]?.text).toBe('still here');
  });

  it('makes a new, independent connection on each connect()', async () => {
    const guest = createRecordingGuest();
    await using harness = await create({ native: guest.sink, amd64: guest.sink });
    const first = await harness.connector.connect('native');
    const second = await harness.connector.connect('native');
    const third = await harness.connector.connect('amd64');
    expect(first).not.toBe(second);
    const readers = [first, second, third].map((socket) => new StreamReader(socket));
    first.end('one');
    second.end('two');
    third.end('three');
    expect(await Promise.all(readers.map((reader) => reader.end()))).toEqual(['ONE', 'TWO', 'THREE']);
    await Promise.all(readers.map((reader) => reader.close()));
    expect(harness.accepted('native')).toBe(2);
    expect(harness.accepted('amd64')).toBe(1);
    expect(guest.connections.map((c) => c.text).sort()).toEqual(['one', 'three', 'two']);
  });

  it('rejects an unknown role with ERR_CONNECT_UNKNOWN_ROLE', async () => {
    await using harness = await create({ native: createRecordingGuest().sink });
    expect(harness.connector.roles).toEqual(['native']);
    await expect(harness.connector.connect('riscv64')).rejects.toMatchObject({
      code: 'ERR_CONNECT_UNKNOWN_ROLE',
      role: 'riscv64',
      known: ['native'],
    });
  });

  it('rejects with ERR_CONNECT_ABORTED when the signal is already aborted or aborts meanwhile', async () => {
    const guest = createRecordingGuest();
    await using harness = await create({ native: guest.sink });
    await expect(harness.connector.connect('native', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_CONNECT_ABORTED',
    });
    const controller = new AbortController();
    const pending = harness.connector.connect('native', { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CONNECT_ABORTED' });
    // Nothing half-made stays open: a connect after that still works.
    const client = await harness.connector.connect('native');
    const reader = new StreamReader(client);
    client.end('x');
    expect(await reader.end()).toBe('X');
    await reader.close();
  });
});

describe('MemoryConnector', () => {
  it('counts connections per role and closes what is still open', async () => {
    const guest = createRecordingGuest({ onEnd: () => undefined });
    const connector = new MemoryConnector({ native: guest.sink, amd64: guest.sink });
    const a = await connector.connect('native');
    const b = await connector.connect('native');
    await connector.connect('amd64');
    expect([
      connector.connections('native'),
      connector.connections('amd64'),
      connector.connections('x'),
    ]).toEqual([2, 1, 0]);
    expect(connector.openSockets()).toBe(6);
    a.end();
    b.destroy();
    await connector.closeAll();
    expect(connector.openSockets()).toBe(0);
    await eventually(() => guest.connections.every((c) => c.closed), { description: 'guest ends closed' });
  });

  it('accepts an http.Server as the guest (and undici as the client, with keep-alive and upgrade)', async () => {
    const server = createServer((req, res) => {
      res.write('chunk-1 ');
      res.end(`for ${req.url}`);
    });
    server.on('upgrade', (_req, socket: Socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.on('data', (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
      socket.on('end', () => socket.end('eof'));
    });
    await using connector = new MemoryConnector({ native: server });
    const client = new Client('http://native.guest', {
      connect: (_options, callback) => {
        connector.connect('native').then(
          (socket) => callback(null, socket as Socket),
          (error: Error) => callback(error, null),
        );
      },
    });
    try {
      const one = await client.request({ path: '/one', method: 'GET' });
      expect(one.headers['transfer-encoding']).toBe('chunked');
      expect(await one.body.text()).toBe('chunk-1 for /one');
      const two = await client.request({ path: '/two', method: 'GET' });
      expect(await two.body.text()).toBe('chunk-1 for /two');
      expect(connector.connections('native')).toBe(1);

      const upgraded = await client.upgrade({ path: '/attach', method: 'POST', protocol: 'tcp' });
      const reader = new StreamReader(upgraded.socket);
      upgraded.socket.write('attach');
      await reader.includes('ATTACH');
      upgraded.socket.end();
      expect(await reader.end()).toBe('ATTACHeof');
      await reader.close();
    } finally {
      await client.close();
    }
  });

  it('turns a guest reset into ECONNRESET on the client, never a clean end', async () => {
    const guest = createRecordingGuest({ onData: (socket) => socket.destroy(new Error('guest crashed')) });
    await using connector = new MemoryConnector({ native: guest.sink });
    const client = await connector.connect('native');
    const reader = new StreamReader(client);
    client.write('boom');
    expect((await reader.failure()).code).toBe('ECONNRESET');
    expect(reader.ended).toBe(false);
    await reader.close();
  });

  it('rejects with ERR_CONNECT_FAILED when the guest sink throws', async () => {
    await using connector = new MemoryConnector({
      native: () => {
        throw new Error('guest not booted');
      },
    });
    const error: unknown = await connector.connect('native').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_CONNECT_FAILED' });
    expect((error as Error).cause).toMatchObject({ message: 'guest not booted' });
  });
});

describe('UnixSocketConnector', () => {
  it('rejects with ERR_CONNECT_REFUSED (cause ENOENT) when no socket file exists', async () => {
    const path = await tempSocketPath('absent');
    const connector = new UnixSocketConnector({ native: path });
    const error: unknown = await connector.connect('native').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_CONNECT_REFUSED', endpoint: path });
    expect(hasErrorCode((error as Error).cause, 'ENOENT')).toBe(true);
    await rm(dirname(path), { recursive: true });
  });

  it('rejects with ERR_CONNECT_REFUSED (cause ECONNREFUSED) for a socket nobody listens on', async () => {
    const path = await tempSocketPath('live');
    const stale = join(dirname(path), 'stale.sock');
    const listener = await listenUnix(path, (socket) => socket.destroy());
    await link(path, stale); // a second name for the socket, which outlives the listener
    await listener.close();
    const connector = new UnixSocketConnector({ native: stale });
    const error: unknown = await connector.connect('native').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_CONNECT_REFUSED' });
    expect(hasErrorCode((error as Error).cause, 'ECONNREFUSED')).toBe(true);

    // listenUnix replaces such a stale socket file.
    const guest = createRecordingGuest();
    await using again = await listenUnix(stale, guest.sink);
    await using connector2 = new UnixSocketConnector({ native: again.path });
    const client = await connector2.connect('native');
    const reader = new StreamReader(client);
    client.end('ok');
    expect(await reader.end()).toBe('OK');
    await reader.close();
    await again.close();
    await rm(dirname(path), { recursive: true, force: true });
  });

  it('rejects with ERR_CONNECT_FAILED for other errors (path through a regular file)', async () => {
    const path = await tempSocketPath('file');
    await writeFile(path, 'not a socket');
    const connector = new UnixSocketConnector({ native: join(path, 'below.sock') });
    const error: unknown = await connector.connect('native').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_CONNECT_FAILED' });
    expect(hasErrorCode((error as Error).cause, 'ENOTDIR')).toBe(true);
    await expect(listenUnix(path, () => undefined)).rejects.toMatchObject({
      code: 'ERR_UNIX_PATH_NOT_SOCKET',
    });
    await rm(dirname(path), { recursive: true });
  });

  it('refuses socket paths longer than the unix limit', async () => {
    await expect(listenUnix(`/tmp/${'x'.repeat(120)}.sock`, () => undefined)).rejects.toMatchObject({
      code: 'ERR_UNIX_PATH_TOO_LONG',
    });
    await expect(tempSocketPath('y'.repeat(120))).rejects.toMatchObject({ code: 'ERR_UNIX_PATH_TOO_LONG' });
  });

  it('listens with a large backlog and closes accepted sockets on close', async () => {
    const guest = createRecordingGuest({ onEnd: () => undefined });
    const listener = await listenUnix(await tempSocketPath('many'), guest.sink);
    const connector = new UnixSocketConnector({ native: listener.path });
    const clients = await Promise.all(Array.from({ length: 64 }, () => connector.connect('native')));
    await eventually(() => listener.accepted === 64, { description: '64 accepted' });
    const readers = clients.map((client) => new StreamReader(client));
    await listener.close();
    await Promise.all(readers.map((reader) => reader.until((r) => r.ended || r.error !== undefined, 'end')));
    await connector.closeAll();
    expect(guest.connections.every((c) => c.closed)).toBe(true);
  });
});
