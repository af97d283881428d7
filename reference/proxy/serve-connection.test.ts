import { Buffer } from 'node:buffer';
import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempSocketPath } from '../../simulators/vsock/index.js';
import { UnixSocketConnector } from '../transport/index.js';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import { startProxy } from './index.js';

useLeakCheck();

/** A proxy whose guest is never reached (the requests here are refused before routing). */
async function startBareProxy(): Promise<string> {
  const socketPath = await tempSocketPath('proxy');
  const connector = new UnixSocketConnector({ native: await tempSocketPath('absent') });
  const proxy = await startProxy({
    listen: `unix://${socketPath}`,
    connector,
    roles: [{ role: 'native', platforms: ['linux/arm64'] }],
    defaultRole: 'native',
    log: () => undefined,
  });
  onTestFinished(() => proxy.close());
  return socketPath;
}

describe('serveConnection', () => {
  it('closes promptly after refusing a head while the client is still sending (lingering close, BAD-2)', async () => {
    const socketPath = await startBareProxy();
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect({ path: socketPath, allowHalfOpen: true });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => socket.end());
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.write(`GET /v1.41/info HTTP/1.1\r\nX-Filler: ${'a'.repeat(256 * 1024)}\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    // Before the fix the unread bytes held the client's FIN back until the 5 s destroy timer.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses Content-Length with Transfer-Encoding and never serves the request behind it (BAD-4)', async () => {
    const socketPath = await startBareProxy();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect({ path: socketPath, allowHalfOpen: true });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('end', () => socket.end());
      socket.on('close', () => resolve(text));
      socket.write(
        'POST /v1.41/containers/create HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' +
          'GET /_ping HTTP/1.1\r\n\r\n',
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toHaveLength(1);
  });
});
