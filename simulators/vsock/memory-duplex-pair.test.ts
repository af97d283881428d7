import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../suite/support/leak-check.js';
import {
  createMemoryDuplexPair,
  liveMemorySockets,
  memorySocketProbe,
  resetMemorySocket,
  type MemorySocket,
} from './memory-duplex-pair.js';
import { StreamReader } from './stream-reader.js';
import { waitClosed } from '../../protocol/wait-closed.js';

useLeakCheck([memorySocketProbe]);

/** Ends both sides and waits until both ends have closed. */
async function finish(a: MemorySocket, b: MemorySocket): Promise<void> {
  for (const end of [a, b]) {
    end.resume();
    end.end();
  }
  await Promise.all([a, b].map(waitClosed));
}

describe('createMemoryDuplexPair', () => {
  it('delivers bytes in order in both directions', async () => {
    const [a, b] = createMemoryDuplexPair();
    const atB = new StreamReader(b);
    const atA = new StreamReader(a);
    const expected = Array.from({ length: 200 }, (_, i) => `${i},`).join('');
    for (let i = 0; i < 200; i++) a.write(`${i},`);
    b.write('pong');
    a.end();
    b.end();
    expect(await atB.end()).toBe(expected);
    expect(await atA.end()).toBe('pong');
    expect(a.bytesWritten).toBe(expected.length);
    expect(b.bytesRead).toBe(expected.length);
    await Promise.all([atA.close(), atB.close()]);
  });

  it('delivers asynchronously, never inside the write() call', async () => {
    const [a, b] = createMemoryDuplexPair();
    const seen: string[] = [];
    b.on('data', (chunk: Buffer) => seen.push(chunk.toString()));
    a.write('x');
    expect(seen).toEqual([]);
    await once(b, 'data');
    expect(seen).toEqual(['x']);
    await finish(a, b);
  });

  it('holds the writer while the reader is slow, with bounded buffers', async () => {
    const hwm = 1024;
    const [a, b] = createMemoryDuplexPair({ highWaterMark: hwm });
    b.pause();
    const chunk = Buffer.alloc(256, 7);
    let accepted = 0;
    while (a.write(chunk)) accepted++;
    // write() said "stop" long before the 256 chunks below, and nothing grew past the marks.
    expect(accepted).toBeLessThan(16);
    await new Promise((resolve) => setImmediate(resolve));
    expect(b.readableLength).toBeLessThanOrEqual(hwm + chunk.length);
    expect(a.writableLength).toBeLessThanOrEqual(hwm + chunk.length);

    // A producer honouring backpressure against a reader that takes one turn per read.
    const rounds = 256;
    let maxBuffered = 0;
    const producer = (async () => {
      for (let i = 0; i < rounds; i++) {
        maxBuffered = Math.max(maxBuffered, a.writableLength + b.readableLength);
        if (!a.write(chunk)) await once(a, 'drain');
      }
      a.end();
    })();
    b.end(); // b only reads; its FIN lets the iterator finish both sides cleanly
    a.resume();
    let received = 0;
    for await (const got of b) {
      received += (got as Buffer).length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await producer;
    expect(received).toBe((rounds + accepted + 1) * chunk.length);
    expect(maxBuffered).toBeLessThanOrEqual(2 * hwm + 2 * chunk.length);
    await Promise.all([waitClosed(a), waitClosed(b)]);
  });

  it('passes a FIN from either side while the other side keeps writing (half-open)', async () => {
    const [a, b] = createMemoryDuplexPair();
    const atA = new StreamReader(a);
    const atB = new StreamReader(b);
    a.end('request');
    expect(await atB.end()).toBe('request');
    expect(b.writable).toBe(true);
    b.write('late ');
    b.end('reply');
    expect(await atA.end()).toBe('late reply');
    await Promise.all([atA.close(), atB.close()]);

    // And the other way round: the guest finishes first, the client goes on sending.
    const [c, d] = createMemoryDuplexPair();
    const atC = new StreamReader(c);
    const atD = new StreamReader(d);
    d.end('banner');
    expect(await atC.end()).toBe('banner');
    c.end('after-fin');
    expect(await atD.end()).toBe('after-fin');
    await Promise.all([atC.close(), atD.close()]);
  });

  it('turns destroy() into end-of-stream for the peer, whose later writes fail with EPIPE', async () => {
    const [a, b] = createMemoryDuplexPair();
    const atB = new StreamReader(b);
    a.write('last words');
    a.destroy();
    expect(await atB.end()).toBe('last words');
    expect(atB.error).toBeUndefined();
    b.write('anyone?');
    const error = await atB.failure();
    expect(error.code).toBe('EPIPE');
    await atB.close();
  });

  it('turns a reset into ECONNRESET on the peer, and is quiet on the resetting side', async () => {
    const [a, b] = createMemoryDuplexPair();
    const atA = new StreamReader(a);
    const atB = new StreamReader(b);
    resetMemorySocket(a);
    const error = await atB.failure();
    expect(error.code).toBe('ECONNRESET');
    await Promise.all([atA.close(), atB.close()]);
    expect(atA.error).toBeUndefined();
    expect(atB.ended).toBe(false);
  });

  it('turns destroy(err) into ECONNRESET on the peer', async () => {
    const [a, b] = createMemoryDuplexPair();
    const atA = new StreamReader(a);
    const atB = new StreamReader(b);
    a.destroy(new Error('local failure'));
    expect((await atB.failure()).code).toBe('ECONNRESET');
    expect((await atA.failure()).message).toBe('local failure');
    await Promise.all([atA.close(), atB.close()]);
  });

  it('emits timeout after an idle period, pushed back by traffic', async () => {
    const [a, b] = createMemoryDuplexPair();
    b.resume();
    const started = Date.now();
    a.setTimeout(60);
    const keepBusy = setInterval(() => a.write('.'), 5);
    setTimeout(() => clearInterval(keepBusy), 100);
    await once(a, 'timeout');
    // Without the writes pushing it back it would have fired at 60 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    expect(a.timeout).toBe(60);
    a.setTimeout(0);
    expect(a.timeout).toBeUndefined();
    await finish(a, b);
  });

  it('looks enough like a net.Socket for http and undici', async () => {
    const [a, b] = createMemoryDuplexPair();
    expect(a.setNoDelay(true)).toBe(a);
    expect(a.setKeepAlive(true, 1000)).toBe(a);
    expect(a.ref().unref()).toBe(a);
    expect(a).toMatchObject({
      remoteAddress: 'memory',
      connecting: false,
      pending: false,
      readyState: 'open',
    });
    expect(a.remotePort).toBe(b.localPort);
    a.end();
    expect(a.readyState).toBe('readOnly');
    await finish(a, b);
    expect(a.readyState).toBe('closed');
  });

  it('counts live ends until they close', async () => {
    const before = liveMemorySockets();
    const [a, b] = createMemoryDuplexPair();
    expect(liveMemorySockets()).toBe(before + 2);
    expect(memorySocketProbe.count()).toBe(before + 2);
    a.destroy();
    b.destroy();
    await Promise.all([once(a, 'close'), once(b, 'close')]);
    expect(liveMemorySockets()).toBe(before);
  });
});

describe('node:http server over a memory socket', () => {
  function makeServer() {
    let releaseSecondChunk: () => void = () => undefined;
    const secondChunk = new Promise<void>((resolve) => (releaseSecondChunk = resolve));
    const server = createServer((req, res) => {
      if (req.url === '/stream') {
        res.write('first');
        void secondChunk.then(() => res.end('second'));
        return;
      }
      res.setHeader('content-type', 'text/plain');
      res.end(`hello ${req.url}`);
    });
    server.on('upgrade', (_req, socket, head) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      if (head.length > 0) socket.write(head.toString().toUpperCase());
      socket.on('data', (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
      socket.on('end', () => socket.end('bye'));
    });
    return { server, releaseSecondChunk };
  }

  it('serves keep-alive requests on one connection', async () => {
    const { server } = makeServer();
    const [client, guest] = createMemoryDuplexPair();
    server.emit('connection', guest);
    const reader = new StreamReader(client);
    client.write('GET /one HTTP/1.1\r\nHost: guest\r\n\r\n');
    const first = await reader.includes('hello /one');
    expect(first).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(first.toLowerCase()).toContain('connection: keep-alive');
    reader.consume(first.length);
    client.write('GET /two HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n');
    const second = await reader.end();
    expect(second).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(second).toContain('hello /two');
    client.end();
    await Promise.all([reader.close(), waitClosed(guest)]);
  });

  it('streams a chunked response chunk by chunk', async () => {
    const { server, releaseSecondChunk } = makeServer();
    const [client, guest] = createMemoryDuplexPair();
    server.emit('connection', guest);
    const reader = new StreamReader(client);
    client.write('GET /stream HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n');
    const head = await reader.includes('5\r\nfirst\r\n');
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(head).not.toContain('second');
    releaseSecondChunk();
    const all = await reader.end();
    expect(all).toContain('6\r\nsecond\r\n0\r\n\r\n');
    client.end();
    await Promise.all([reader.close(), waitClosed(guest)]);
  });

  it('hands an Upgrade request to the upgrade event and keeps the half-open stream', async () => {
    const { server } = makeServer();
    const [client, guest] = createMemoryDuplexPair();
    server.emit('connection', guest);
    const reader = new StreamReader(client);
    client.write('POST /attach HTTP/1.1\r\nHost: guest\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    const head = await reader.includes('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    reader.consume(head.length);
    client.write('ping');
    await reader.includes('PING');
    // The docker CLI half-closes right after the 101 when it has no stdin; output must go on.
    client.end();
    expect(await reader.end()).toBe('PINGbye');
    await reader.close();
  });
});
