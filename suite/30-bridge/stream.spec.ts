import { Buffer } from 'node:buffer';
import { describe } from 'vitest';
import { clause } from '../harness/clause.js';
import { useLeakCheck } from '../support/leak-check.js';
import { eventually } from '../support/poll.js';
import { patternBytes } from '../support/streams.js';
import { ATTACH_REQUEST, execStartRequest, startRig, UPGRADED } from './bridge-harness.js';
import type { GuestExchange } from '../support/http/scripted-guest.js';
import { ClauseViolationError } from '../support/suite-errors.js';

/** Resolves with the guest's exchange once the script has run. */
function captured(): { script: (exchange: GuestExchange) => void; exchange: () => GuestExchange } {
  let current: GuestExchange | undefined;
  return {
    script: (exchange) => {
      current = exchange;
    },
    exchange: () => {
      if (current === undefined) throw new ClauseViolationError('the guest has not been reached');
      return current;
    },
  };
}

describe('UPG: upgraded streams', () => {
  useLeakCheck();

  clause(
    'UPG-10',
    "answers 101 with the guest's Upgrade and Content-Type and nothing else",
    async (context) => {
      const { expect } = context;
      const rig = await startRig(context, ({ socket }) =>
        socket.end(
          'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nServer: Docker/20.10\r\n' +
            'X-Guest: private\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
        ),
      );
      const client = await rig.client();
      client.send(ATTACH_REQUEST);
      const head = await client.untilHead();
      expect(head.status).toBe(101);
      expect(head.values('connection').map((v) => v.toLowerCase())).toEqual(['upgrade']);
      expect(head.values('upgrade')).toEqual(['tcp']);
      expect(head.values('content-type')).toEqual(['application/vnd.docker.multiplexed-stream']);
      expect(head.values('server'), 'other guest headers').toEqual([]);
      expect(head.values('x-guest'), 'other guest headers').toEqual([]);
      client.socket.end();
    },
  );

  clause(
    'UPG-10',
    'relays h2c for BuildKit /session and defaults to tcp when the guest names none',
    async (context) => {
      const { expect } = context;
      const rig = await startRig(context, ({ socket, request }) =>
        socket.end(
          request.target.startsWith('/session')
            ? 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'
            : 'HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n\r\n',
        ),
      );
      const session = await rig.client();
      session.send(
        'POST /session HTTP/1.1\r\nHost: api.moby.localhost\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n' +
          'X-Docker-Expose-Session-Uuid: s1\r\nContent-Length: 0\r\n\r\n',
      );
      expect((await session.untilHead()).values('upgrade')).toEqual(['h2c']);
      session.socket.end();
      const attach = await rig.client();
      attach.send(ATTACH_REQUEST);
      expect((await attach.untilHead()).values('upgrade')).toEqual(['tcp']);
      attach.socket.end();
    },
  );

  clause('UPG-11', 'carries 1 MiB each way unchanged, then closes both connections', async (context) => {
    const { expect } = context;
    const guest = captured();
    const rig = await startRig(context, (exchange) => {
      guest.script(exchange);
      exchange.socket.write(UPGRADED);
    });
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await client.untilHead();
    const up = patternBytes(1024 * 1024, 31);
    const down = patternBytes(1024 * 1024, 37);
    client.socket.end(up);
    guest.exchange().socket.end(down);
    await client.untilEnded(10_000);
    await guest.exchange().after.untilEnded(10_000);
    expect(client.afterHead().equals(down), 'guest → client bytes').toBe(true);
    expect(guest.exchange().after.bytes.equals(up), 'client → guest bytes').toBe(true);
    await guest.exchange().after.until((r) => r.closed, 'the guest connection to close');
  });

  clause(
    'UPG-12',
    "delivers the guest's output after the client's FIN right after the 101",
    async (context) => {
      // Issue #268: a bridge that closes on the client's FIN loses all output of `docker run`.
      const { expect } = context;
      const rig = await startRig(context, (exchange) => {
        exchange.socket.write(UPGRADED);
        // Output only once the client's FIN has arrived, like a container that runs after attach.
        void exchange.after.untilEnded().then(
          () => {
            exchange.socket.write('out\n');
            exchange.socket.end('err\n');
          },
          () => exchange.socket.destroy(),
        );
      });
      const client = await rig.client();
      client.send(ATTACH_REQUEST);
      await client.untilHead();
      client.socket.end();
      await client.untilEnded();
      expect(client.afterHead().toString('latin1')).toBe('out\nerr\n');
    },
  );

  clause(
    'UPG-13',
    "passes the guest's FIN as a clean end while the client's input still flows",
    async (context) => {
      const { expect } = context;
      const guest = captured();
      const rig = await startRig(context, (exchange) => {
        guest.script(exchange);
        exchange.socket.end(`${UPGRADED}bye`);
      });
      const client = await rig.client();
      client.send(ATTACH_REQUEST);
      await client.untilEnded();
      client.socket.write('still typing');
      await guest.exchange().after.untilIncludes('still typing');
      client.socket.end();
      await guest.exchange().after.untilEnded();
      expect(guest.exchange().after.text).toBe('still typing');
    },
  );

  clause('UPG-14', 'hands bytes sent with the 101 head to the client right after it', async (context) => {
    const { expect } = context;
    const guest = captured();
    const rig = await startRig(context, (exchange) => {
      guest.script(exchange);
      exchange.socket.write(`${UPGRADED}first;`);
    });
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await client.untilHead();
    await client.untilIncludes('first;');
    guest.exchange().socket.end('second');
    client.socket.end();
    await client.untilEnded();
    expect(client.afterHead().toString('latin1')).toBe('first;second');
  });

  clause(
    'UPG-15',
    'forwards bytes the client sent with its request after the handshake, in order',
    async (context) => {
      const { expect } = context;
      const guest = captured();
      let beforeAnswer = -1;
      const rig = await startRig(context, (exchange) => {
        guest.script(exchange);
        beforeAnswer = exchange.after.length;
        exchange.socket.write(UPGRADED);
      });
      const client = await rig.client();
      client.send(`${execStartRequest()}early;`);
      await client.untilHead();
      client.socket.end('late');
      await guest.exchange().after.untilEnded();
      expect(beforeAnswer, 'bytes past the request before the guest answered').toBe(0);
      expect(guest.exchange().after.text).toBe('early;late');
      guest.exchange().socket.end();
    },
  );

  clause('UPG-16', 'relays a 200 raw-stream hijack both ways until both ends', async (context) => {
    // P-B3: upstream relays the 200 with one read of at most 8192 bytes and drops the stream.
    const { expect } = context;
    const output = patternBytes(100_000, 41);
    const guest = captured();
    const rig = await startRig(context, (exchange) => {
      guest.script(exchange);
      exchange.socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n');
      exchange.socket.write(output);
      void exchange.after.untilEnded().then(
        () => exchange.socket.end('tail'),
        () => exchange.socket.destroy(),
      );
    });
    const client = await rig.client();
    client.send(
      'POST /v1.41/containers/c0ffee/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n',
    );
    const head = await client.untilHead();
    expect(head.status).toBe(200);
    expect(head.values('content-type')).toEqual(['application/vnd.docker.raw-stream']);
    client.socket.end('stdin');
    await client.untilEnded();
    expect(client.afterHead().equals(Buffer.concat([output, Buffer.from('tail')])), 'the whole stream').toBe(
      true,
    );
    expect(guest.exchange().after.text).toBe('stdin');
  });

  clause('UPG-17', 'ends the client connection promptly when the guest fails mid-stream', async (context) => {
    const { expect } = context;
    const rig = await startRig(context, (exchange) => {
      exchange.socket.write(`${UPGRADED}partial`);
      // The guest dies with the client's input unread, which resets the connection.
      void exchange.after
        .until((r) => r.length > 0, 'client input')
        .then(
          () => exchange.socket.destroy(),
          () => exchange.socket.destroy(),
        );
    });
    const client = await rig.client();
    client.send(ATTACH_REQUEST);
    await client.untilIncludes('partial');
    client.socket.write(patternBytes(1024 * 1024, 43));
    await client.untilFinished('the client connection to end');
    expect(client.finished).toBe(true);
  });

  clause(
    'UPG-21',
    'stops reading the guest while the client does not read',
    async (context) => {
      const { expect } = context;
      const total = 32 * 1024 * 1024;
      let accepted = 0;
      let pumping: Promise<void> | undefined;
      const rig = await startRig(context, ({ socket }) => {
        socket.write(UPGRADED);
        const chunk = patternBytes(64 * 1024, 47);
        pumping = (async () => {
          while (accepted < total && !socket.destroyed) {
            await new Promise<void>((resolve) => {
              if (socket.write(chunk)) resolve();
              else socket.once('drain', () => resolve());
            });
            accepted += chunk.length;
          }
          socket.end();
        })();
      });
      const client = await rig.client();
      client.send(ATTACH_REQUEST);
      await client.untilHead();
      client.socket.pause();
      // Wait until the guest's writes stall: no progress between two looks 200 ms apart. The pause
      // between looks is the measurement (a stall is the absence of progress), not a wait for an
      // event; a slow machine can only end it early, with fewer bytes accepted.
      let last = -1;
      await eventually(
        () => {
          const stalled = accepted === last;
          last = accepted;
          return stalled;
        },
        {
          description: "the guest's writes to stall",
          intervalMs: 200,
          timeoutMs: 30_000,
          failAs: 'violation',
        },
      );
      expect(accepted, 'bytes the guest could write while the client read nothing').toBeLessThan(
        8 * 1024 * 1024,
      );
      client.socket.resume();
      await client.untilEnded(20_000);
      await pumping;
      expect(client.afterHead().length, 'bytes the client got in the end').toBe(accepted);
    },
    // Its poll for the stall may take 30 s on a busy machine; the test needs room beyond that.
    { timeoutMs: 60_000 },
  );
});
