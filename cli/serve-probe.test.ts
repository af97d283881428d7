import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tempSocketPath } from '../simulators/vsock/index.js';
import { probeGuestArch } from './serve.js';

/** A raw guest that answers every connection with `answer` (then leaves the connection open). */
async function rawGuest(answer: string): Promise<{ path: string; server: Server; sockets: Set<Socket> }> {
  const path = await tempSocketPath('probe-guest');
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write(answer));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, server, sockets };
}

const opened: { server: Server; sockets: Set<Socket> }[] = [];
afterEach(async () => {
  for (const { server, sockets } of opened.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe("berth serve's start-up probe of a guest's Arch", () => {
  it('reads Arch from a dockerd-like /version answer', async () => {
    const body = JSON.stringify({ Arch: 'arm64', Os: 'linux' });
    const guest = await rawGuest(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    opened.push(guest);
    expect(await probeGuestArch(guest.path, 2000)).toBe('arm64');
  });

  it.each([
    [
      'a 101 Switching Protocols',
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    ],
    ['garbage', 'SSH-2.0-OpenSSH_9.2\r\n'],
    ['a non-JSON body', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK'],
  ])('gives up with no Arch, instead of hanging, on %s', async (_name, answer) => {
    const guest = await rawGuest(answer);
    opened.push(guest);
    expect(await probeGuestArch(guest.path, 2000)).toBeUndefined();
  });

  it('gives up with no Arch when the guest never answers (the deadline fires)', async () => {
    const guest = await rawGuest('');
    opened.push(guest);
    expect(await probeGuestArch(guest.path, 300)).toBeUndefined();
  });
});
