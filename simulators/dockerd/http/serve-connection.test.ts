import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '../../../suite/support/leak-check.js';
import { createMemoryDuplexPair, memorySocketProbe } from '../../vsock/index.js';
import { RawConnection } from '../raw-connection.test-helper.js';
import type { ResponseWriter } from './response-writer.js';
import { serveConnection, type HttpHandler, type HttpRequest } from './serve-connection.js';
import { eventually } from '../../../suite/support/poll.js';

useLeakCheck([memorySocketProbe]);

/** A server on one end of a memory socketpair and a raw client on the other. */
async function withServer(
  handler: HttpHandler,
  run: (client: RawConnection) => Promise<void>,
  maxHeadBytes?: number,
): Promise<void> {
  const [client, server] = createMemoryDuplexPair();
  const served = serveConnection(server, handler, {
    now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    ...(maxHeadBytes === undefined ? {} : { maxHeadBytes }),
  });
  const connection = RawConnection.over(client);
  try {
    await run(connection);
  } finally {
    await connection.close();
    await served;
    server.destroy();
  }
}

const echoBody: HttpHandler = async (request: HttpRequest, response: ResponseWriter) => {
  const body = await request.body.readAll();
  response.header.set('Content-Type', 'text/plain');
  await response.write(`${request.method} ${request.target} ${body.length}:${body.toString()}`);
};

describe('serveConnection', () => {
  it('answers like net/http: sorted headers, Date, then Content-Length for a small body', async () => {
    await withServer(
      async (_request, response) => {
        response.header.set('Server', 'x');
        response.header.set('api-version', '1.41');
        response.header.set('Content-Type', 'application/json');
        response.writeHead(201);
        await response.write('{"a":1}\n');
      },
      async (client) => {
        await client.request('GET', '/x');
        const head = await client.readUntil((data) => data.includes('\r\n\r\n{"a":1}\n'));
        expect(head.toString()).toBe(
          'HTTP/1.1 201 Created\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nServer: x\r\n' +
            'Date: Fri, 02 Jan 2026 03:04:05 GMT\r\nContent-Length: 8\r\n\r\n{"a":1}\n',
        );
      },
    );
  });

  it('sends a body above 2048 bytes, or one flushed early, chunked; sniffs a missing Content-Type', async () => {
    await withServer(
      async (request, response) => {
        if (request.target === '/big') await response.write(Buffer.alloc(3000, 0x61));
        else if (request.target === '/flush') {
          response.writeHead(200);
          await response.flush();
          await response.write('late');
        } else await response.write('OK');
      },
      async (client) => {
        await client.request('GET', '/big');
        const big = await client.readResponse();
        expect(big.framing).toBe('chunked');
        expect(big.body.length).toBe(3000);
        await client.request('GET', '/flush');
        const flushed = await client.readResponse();
        expect([flushed.framing, flushed.header('content-type'), flushed.text]).toEqual([
          'chunked',
          undefined,
          'late',
        ]);
        await client.request('GET', '/ok');
        const ok = await client.readResponse();
        expect([ok.framing, ok.header('content-type'), ok.headerNames.slice(-2)]).toEqual([
          'content-length',
          'text/plain; charset=utf-8',
          ['Content-Length', 'Content-Type'],
        ]);
      },
    );
  });

  it('reads Content-Length and chunked bodies and serves pipelined requests in order', async () => {
    await withServer(echoBody, async (client) => {
      await client.write(
        'POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc' +
          'POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n3;ext=1\r\nfgh\r\n0\r\nTrailer: x\r\n\r\n' +
          'GET /c HTTP/1.1\r\nHost: h\r\n\r\n',
      );
      expect((await client.readResponse()).text).toBe('POST /a 3:abc');
      expect((await client.readResponse()).text).toBe('POST /b 5:defgh');
      expect((await client.readResponse()).text).toBe('GET /c 0:');
    });
  });

  it('sends "100 Continue" only when the handler reads the body', async () => {
    await withServer(
      async (request, response) => {
        if (request.target === '/read') {
          await response.write(await request.body.readAll());
        } else {
          response.writeHead(400);
          await response.write('refused');
        }
      },
      async (client) => {
        await client.write(
          'POST /read HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n',
        );
        const interim = await client.readHead();
        expect([interim.status, interim.reason]).toEqual([100, 'Continue']);
        await client.write('body');
        expect((await client.readResponse()).text).toBe('body');
        // Not read: no 100, and the connection closes (net/http cannot tell what comes next).
        await client.write(
          'POST /refuse HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n',
        );
        const refused = await client.readResponse();
        expect([refused.status, refused.header('connection')]).toEqual([400, 'close']);
        expect(await client.readToEnd()).toHaveLength(0);
      },
    );
  });

  it('drains an unread body so the connection stays usable', async () => {
    await withServer(
      async (_request, response) => {
        await response.write('ignored the body');
      },
      async (client) => {
        await client.request('POST', '/x', { body: 'x'.repeat(1000) });
        expect((await client.readResponse()).header('connection')).toBeUndefined();
        await client.request('GET', '/y');
        expect((await client.readResponse()).text).toBe('ignored the body');
      },
    );
  });

  it('answers 431 above the head limit, 400 without Host, and closes', async () => {
    await withServer(
      echoBody,
      async (client) => {
        await client.write(`GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(300)}\r\n\r\n`);
        expect((await client.readToEnd()).toString()).toBe(
          'HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\n' +
            'Connection: close\r\n\r\n431 Request Header Fields Too Large',
        );
      },
      256,
    );
    await withServer(echoBody, async (client) => {
      await client.write('GET / HTTP/1.1\r\n\r\n');
      expect((await client.readToEnd()).toString()).toContain(
        'HTTP/1.1 400 Bad Request: missing required Host header\r\n',
      );
    });
    await withServer(echoBody, async (client) => {
      await client.write('GARBAGE\r\n\r\n');
      expect((await client.readToEnd()).toString()).toBe(
        'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request',
      );
    });
  });

  it('closes after "Connection: close" and after an HTTP/1.0 request', async () => {
    await withServer(echoBody, async (client) => {
      await client.request('GET', '/', { headers: [['Connection', 'close']] });
      const response = await client.readResponse();
      expect(response.header('connection')).toBe('close');
      expect(await client.readToEnd()).toHaveLength(0);
    });
    await withServer(echoBody, async (client) => {
      await client.write('GET /old HTTP/1.0\r\n\r\n');
      const all = (await client.readToEnd()).toString();
      expect(all.startsWith('HTTP/1.0 200 OK\r\n')).toBe(true);
      expect(all).not.toContain('Connection:');
    });
  });

  it('hands the socket over on hijack and aborts a long poll when the client leaves', async () => {
    let aborted = false;
    await withServer(
      async (request, response) => {
        if (request.target === '/hijack') {
          const hijacked = request.hijack();
          await hijacked.send(Buffer.from('HTTP/1.1 101 UPGRADED\r\n\r\n'));
          const echoed = await hijacked.reader.read();
          await hijacked.send(echoed ?? Buffer.from('none'));
          return;
        }
        response.writeHead(200);
        await response.flush();
        await new Promise<void>((resolve) =>
          request.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        aborted = true;
      },
      async (client) => {
        await client.request('POST', '/hijack');
        expect((await client.readHead()).status).toBe(101);
        await client.write('ping');
        expect((await client.readUntil((data) => data.length >= 4)).toString()).toBe('ping');
      },
    );
    await withServer(
      async (request, response) => {
        response.writeHead(200);
        await response.flush();
        await new Promise<void>((resolve) =>
          request.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        aborted = true;
      },
      async (client) => {
        await client.request('POST', '/wait');
        expect((await client.readHead()).status).toBe(200);
        client.end();
        await eventually(() => aborted, { description: 'the handler to see the client go' });
        expect(aborted).toBe(true);
      },
    );
  });
});
