import { describe, type ExpectStatic } from 'vitest';
import { clause } from '../harness/clause.js';
import { useLeakCheck } from '../support/leak-check.js';
import type { RawConnection } from '../support/http/raw-connection.js';
import {
  ATTACH_REQUEST,
  ATTACH_TARGET,
  execStartRequest,
  EXEC_START_BODY,
  startRig,
  UPGRADED,
} from './bridge-harness.js';
import type { GuestExchange } from '../support/http/scripted-guest.js';

/** Waits for a complete Docker JSON error answer (DKR-3) with `status`. */
async function dockerError(client: RawConnection, status: number, expect: ExpectStatic): Promise<void> {
  const { head, body } = await client.response();
  expect(head.status, 'status of the answer').toBe(status);
  expect(head.values('content-type')[0] ?? '', 'Content-Type').toMatch(/^application\/json/);
  const parsed = JSON.parse(body.toString('utf8')) as { message?: unknown };
  expect(typeof parsed.message, 'a {"message": ...} body').toBe('string');
}

describe('UPG: the upgrade handshake', () => {
  useLeakCheck();

  clause('UPG-1', 'delivers a chunked exec start body whole to the guest', async (context) => {
    const { expect } = context;
    const rig = await startRig(context, ({ socket }) => socket.end(UPGRADED));
    const client = await rig.client();
    const body = EXEC_START_BODY;
    client.send(
      'POST /v1.41/exec/e1/start HTTP/1.1\r\nHost: api.moby.localhost\r\nContent-Type: application/json\r\n' +
        'Connection: Upgrade\r\nUpgrade: tcp\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `5\r\n${body.slice(0, 5)}\r\n${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`,
    );
    const { request } = await rig.exchange();
    expect(request.body.toString('latin1'), 'the body the guest read').toBe(body);
    expect((await client.untilHead()).status).toBe(101);
    client.socket.end();
  });

  clause(
    'UPG-2',
    'replays method, target, headers and an exact Content-Length to the guest',
    async (context) => {
      const { expect } = context;
      const rig = await startRig(context, ({ socket }) => socket.end(UPGRADED));
      const client = await rig.client();
      const target = `${ATTACH_TARGET}&detachKeys=ctrl-p%2Cctrl-q`;
      client.send(
        `POST ${target} HTTP/1.1\r\nHost: api.moby.localhost\r\nX-Berth-First: 1\r\nContent-Length: 0\r\n` +
          'Connection: Upgrade\r\nUpgrade: tcp\r\nX-Berth-Last: 2\r\n\r\n',
      );
      const { request } = await rig.exchange();
      const names = request.headers.map(([name]) => name.toLowerCase());
      const value = (name: string): string[] =>
        request.headers.filter(([field]) => field.toLowerCase() === name).map(([, v]) => v);
      expect(request.requestLine, 'request line').toBe(`POST ${target} HTTP/1.1`);
      expect(value('host'), 'Host').toEqual(['localhost']);
      expect(value('content-length'), 'Content-Length').toEqual(['0']);
      expect(value('transfer-encoding'), 'Transfer-Encoding').toEqual([]);
      expect(value('connection').join(',').toLowerCase(), 'Connection').toContain('upgrade');
      expect(value('upgrade'), 'Upgrade').toEqual(['tcp']);
      expect(names.indexOf('x-berth-first'), 'client headers in order').toBeLessThan(
        names.indexOf('x-berth-last'),
      );
      expect(names.indexOf('x-berth-first')).toBeGreaterThanOrEqual(0);
      expect((await client.untilHead()).status).toBe(101);
      client.socket.end();
    },
  );

  clause(
    'UPG-3',
    'answers 502 when the guest drops the connection while the request is written',
    async (context) => {
      // Upstream answers 500 "failed to write upgrade request"; a failed guest is a bad gateway.
      // The guest closes with most of a 192 KiB request body unread, which resets the connection.
      const rig = await startRig(context, ({ socket }) => socket.destroy(), { atHead: true });
      const client = await rig.client();
      client.send(execStartRequest(`{"Detach":false,"Tty":false,"Pad":"${'x'.repeat(192 * 1024)}"}`));
      await dockerError(client, 502, context.expect);
    },
  );

  clause('UPG-4', 'answers 502 when the guest closes in the middle of its head', async (context) => {
    // Upstream answers 500 "failed to read upgrade response".
    const rig = await startRig(context, ({ socket }) => socket.end('HTTP/1.1 101 UPGRADED\r\nContent-Ty'));
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await dockerError(client, 502, context.expect);
  });

  clause(
    'UPG-5',
    "accepts dockerd's 101 UPGRADED status line whatever the reason phrase",
    async (context) => {
      const rig = await startRig(context, ({ socket }) =>
        socket.end('HTTP/1.1 101 Anything Goes Here\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n'),
      );
      const client = await rig.client();
      client.send(ATTACH_REQUEST);
      context.expect((await client.untilHead()).status).toBe(101);
      client.socket.end();
    },
  );

  clause('UPG-5', 'answers 502 for a status line without a three-digit code', async (context) => {
    // Upstream answers 500 "invalid status line".
    const rig = await startRig(context, ({ socket }) => socket.end('HTTP/1.1 OK\r\n\r\n'));
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await dockerError(client, 502, context.expect);
  });

  const paddedHead = (size: number): string => {
    const prefix = 'HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nX-Pad: ';
    return `${prefix}${'p'.repeat(size - prefix.length - 4)}\r\n\r\n`;
  };

  clause('UPG-6', 'accepts a guest head of exactly 8192 bytes, CRLFCRLF included', async (context) => {
    const rig = await startRig(context, ({ socket }) => socket.end(`${paddedHead(8192)}out`));
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    const head = await client.untilHead();
    context.expect(head.status).toBe(101);
    await client.untilIncludes('\r\n\r\nout');
    context.expect(client.afterHead().toString('latin1')).toBe('out');
    client.socket.end();
  });

  clause('UPG-6', 'answers 502 for a guest head of 8193 bytes', async (context) => {
    // Upstream checks the terminator before the size, so it still accepts a head of 8193 bytes.
    const rig = await startRig(context, ({ socket }) => socket.end(paddedHead(8193)));
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await dockerError(client, 502, context.expect);
  });

  clause('UPG-7', 'relays repeated guest headers in order, one line each', async (context) => {
    // Upstream inserts parsed headers into a map, so only the last X-Dup survives.
    const body = '{"message":"No such container: c0ffee"}\n';
    const rig = await startRig(context, ({ socket }) =>
      socket.end(
        `HTTP/1.1 404 Not Found\r\nX-Dup: first\r\nContent-Type: application/json\r\nX-Dup: second\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    const { head } = await client.response();
    context.expect(head.values('x-dup')).toEqual(['first', 'second']);
  });

  clause('UPG-7', 'answers 502 for a malformed guest header line', async (context) => {
    // Upstream skips the line; a proxy that guesses at a broken head invites request smuggling.
    const rig = await startRig(context, ({ socket }) =>
      socket.end('HTTP/1.1 101 UPGRADED\r\nUpgrade : tcp\r\n\r\n'),
    );
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await dockerError(client, 502, context.expect);
  });

  clause(
    'UPG-8',
    'answers 504 soon after the handshake deadline and closes the guest connection',
    async (context) => {
      const { expect } = context;
      let exchange: GuestExchange | undefined;
      const rig = await startRig(context, (e) => (exchange = e), { handshakeTimeoutMs: 300 });
      const client = await rig.client();
      const sentAt = Date.now();
      client.send(ATTACH_REQUEST);
      const head = await client.untilHead();
      const elapsed = Date.now() - sentAt;
      expect(head.status).toBe(504);
      expect(elapsed, 'ms until the 504').toBeGreaterThanOrEqual(250);
      expect(elapsed, 'ms until the 504').toBeLessThan(3000);
      await dockerError(client, 504, expect);
      await exchange?.after.untilFinished('the guest connection to be closed');
      expect(exchange?.after.finished).toBe(true);
    },
  );
});
