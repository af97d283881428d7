import { describe } from 'vitest';
import { clause } from '../harness/clause.js';
import { useLeakCheck } from '../support/leak-check.js';
import { patternBytes } from '../support/streams.js';
import { ATTACH_REQUEST, dechunked, execStartRequest, startRig } from './bridge-harness.js';
import type { GuestExchange } from '../support/http/scripted-guest.js';

describe('UPG: non-101 answers', () => {
  useLeakCheck();

  clause('UPG-9', 'relays a 404 JSON error with its status, headers and body', async (context) => {
    const { expect } = context;
    const body = '{"message":"No such exec instance: e1"}\n';
    const rig = await startRig(context, ({ socket }) =>
      socket.end(
        `HTTP/1.1 404 Not Found\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
    const client = await rig.client();
    client.send(execStartRequest());
    const response = await client.response();
    expect(response.head.status).toBe(404);
    expect(response.head.values('api-version')).toEqual(['1.41']);
    expect(response.head.values('content-type')).toEqual(['application/json']);
    expect(response.body.toString('latin1')).toBe(body);
  });

  clause('UPG-9', 'relays a chunked 500 body of 20 000 bytes whole', async (context) => {
    // Upstream relays a single read of at most 8192 bytes, with the guest's stale framing headers.
    const { expect } = context;
    const text = `{"message":"${'e'.repeat(20_000)}"}\n`;
    const rig = await startRig(context, ({ socket }) => {
      socket.write(
        'HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      socket.write(`10\r\n${text.slice(0, 16)}\r\n`);
      socket.end(`${(text.length - 16).toString(16)}\r\n${text.slice(16)}\r\n0\r\n\r\n`);
    });
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    const { head, body } = await client.response();
    expect(head.status).toBe(500);
    const chunked = head.values('transfer-encoding').join(',').toLowerCase().includes('chunked');
    const received = chunked ? dechunked(body) : body;
    expect(received.toString('latin1') === text, 'the whole body arrived').toBe(true);
  });

  clause(
    'UPG-9',
    'relays a 300 000-byte body framed by Content-Length, and one framed by the close',
    async (context) => {
      const { expect } = context;
      const payload = patternBytes(300_000, 21);
      let calls = 0;
      const rig = await startRig(context, ({ socket }) => {
        calls += 1;
        if (calls === 1) socket.write(`HTTP/1.1 409 Conflict\r\nContent-Length: ${payload.length}\r\n\r\n`);
        else socket.write('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n');
        socket.end(payload);
      });
      for (const status of [409, 400]) {
        const client = await rig.client();
        client.send(ATTACH_REQUEST);
        const { head, body } = await client.response();
        expect(head.status).toBe(status);
        const chunked = head.values('transfer-encoding').join(',').toLowerCase().includes('chunked');
        expect((chunked ? dechunked(body) : body).equals(payload), `the whole ${status} body`).toBe(true);
      }
    },
  );

  clause(
    'UPG-18',
    'strips hop-by-hop headers and keeps Content-Length only when it matches',
    async (context) => {
      // Upstream copies every guest header verbatim, Keep-Alive and Transfer-Encoding included.
      const { expect } = context;
      const body = '{"message":"conflict"}\n';
      const rig = await startRig(context, ({ socket }) =>
        socket.end(
          'HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nKeep-Alive: timeout=5\r\n' +
            'Connection: keep-alive, X-Hop\r\nX-Hop: yes\r\nUpgrade: tcp\r\nProxy-Connection: keep-alive\r\n' +
            `X-End: kept\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        ),
      );
      const client = await rig.client();
      client.send(ATTACH_REQUEST);
      const { head, body: received } = await client.response();
      for (const name of ['keep-alive', 'x-hop', 'upgrade', 'proxy-connection']) {
        expect(head.values(name), `${name} relayed`).toEqual([]);
      }
      expect(head.values('connection').join(',').toLowerCase()).not.toContain('x-hop');
      expect(head.values('x-end')).toEqual(['kept']);
      for (const length of head.values('content-length')) expect(Number(length)).toBe(received.length);
      expect(received.toString('latin1')).toBe(body);
    },
  );

  clause('UPG-19', 'cuts off a guest that falls silent mid-body after the deadline', async (context) => {
    // Upstream reads the non-101 body without any timeout: a silent guest hangs the client.
    const { expect } = context;
    const rig = await startRig(
      context,
      ({ socket }) =>
        socket.write('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 100\r\n\r\nonly-part'),
      { handshakeTimeoutMs: 300 },
    );
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await client.untilIncludes('only-part');
    await client.untilFinished('the client connection to end');
    expect(client.afterHead().length, 'body bytes received').toBeLessThan(100);
  });

  clause(
    'UPG-20',
    'ends the client connection with Connection: close and closes the guest after an answer',
    async (context) => {
      const { expect } = context;
      let exchange: GuestExchange | undefined;
      const rig = await startRig(context, (e) => {
        exchange = e;
        // The guest offers keep-alive and leaves its side open: the bridge must close it.
        e.socket.write(
          'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{}\n',
        );
      });
      const client = await rig.client();
      client.send(ATTACH_REQUEST);
      const { head } = await client.response();
      expect(head.values('connection').map((v) => v.toLowerCase())).toContain('close');
      await exchange?.after.untilFinished('the guest connection to be closed');
      expect(exchange?.after.finished).toBe(true);
    },
  );

  clause('UPG-22', 'ends the client connection early when the guest cuts a body short', async (context) => {
    const { expect } = context;
    const rig = await startRig(context, ({ socket }) =>
      socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 1000\r\n\r\ntruncated'),
    );
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await client.untilFinished('the client connection to end');
    // Either no answer at all, or one whose body is visibly shorter than announced.
    if (client.head !== undefined) expect(client.afterHead().length).toBeLessThan(1000);
    expect(client.finished).toBe(true);
  });
});
