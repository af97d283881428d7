import type { Duplex } from 'node:stream';
import { describe } from 'vitest';
import { clause } from '../harness/clause.js';
import { useLeakCheck } from '../support/leak-check.js';
import { eventually } from '../support/poll.js';
import { collect, echoGuest, ending, patternBytes, within, write } from '../support/streams.js';
import { getTarget } from '../harness/current-target.js';

// One run per connector kind the target offers; a target without connectors gets each clause
// once, and `use('transport')` marks it disabled.
const kinds = getTarget().transport?.kinds ?? ['no connector'];

for (const kind of kinds) {
  describe(`${kind} connector`, () => {
    useLeakCheck();

    clause(
      'VSK-1',
      `carries 1 MiB both ways unchanged and in order (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        const link = await use('transport').open(kind, echoGuest);
        onTestFinished(() => link[Symbol.asyncDispose]());
        const stream = await link.connector.connect(link.role);
        const sent = patternBytes(1024 * 1024);
        const received = collect(stream);
        stream.end(sent);
        const echoed = await received;
        expect(echoed.length, 'bytes echoed back by the guest').toBe(sent.length);
        expect(echoed.equals(sent), 'echoed bytes equal the bytes sent').toBe(true);
      },
    );

    clause(
      'VSK-2',
      `opens a new independent connection per connect (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        const link = await use('transport').open(kind, echoGuest);
        onTestFinished(() => link[Symbol.asyncDispose]());
        const first = await link.connector.connect(link.role);
        const second = await link.connector.connect(link.role);
        await eventually(() => link.accepted() === 2, { description: 'the guest to accept two connections' });
        expect(link.accepted()).toBe(2);
        first.destroy();
        const received = collect(second);
        second.end('still here');
        expect((await received).toString()).toBe('still here');
      },
    );

    clause(
      'VSK-3',
      `keeps the connection half-open after the client's FIN (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        // The guest answers only after it has read the client's whole input (like `exec -i cat`).
        const guest = (socket: Duplex): void => {
          const chunks: Buffer[] = [];
          socket.on('data', (chunk: Buffer) => chunks.push(chunk));
          socket.on('end', () => socket.end(`got:${Buffer.concat(chunks).toString()}`));
          socket.on('error', () => socket.destroy());
        };
        const link = await use('transport').open(kind, guest);
        onTestFinished(() => link[Symbol.asyncDispose]());
        const stream = await link.connector.connect(link.role);
        const received = collect(stream);
        stream.end('hello');
        expect((await received).toString(), 'reply sent by the guest after the client FIN').toBe('got:hello');
      },
    );

    clause(
      'VSK-4',
      `passes the guest's FIN as a clean end while the client can still write (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        let guestRead: Promise<Buffer> | undefined;
        const guest = (socket: Duplex): void => {
          guestRead = collect(socket);
          socket.end('bye');
        };
        const link = await use('transport').open(kind, guest);
        onTestFinished(() => link[Symbol.asyncDispose]());
        const stream = await link.connector.connect(link.role);
        const end = await ending(stream);
        expect(end.kind, 'how the client stream ended').toBe('end');
        expect(end.data.toString()).toBe('bye');
        stream.end('written after the guest FIN');
        await eventually(() => guestRead !== undefined, { description: 'the guest to accept' });
        expect((await guestRead!).toString(), 'bytes the guest read after its own FIN').toBe(
          'written after the guest FIN',
        );
      },
    );

    clause(
      'VSK-5',
      `rejects a role with no guest with a typed error (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        const link = await use('transport').open(kind, echoGuest);
        onTestFinished(() => link[Symbol.asyncDispose]());
        const rejection = link.connector.connect('no-such-role');
        await expect(rejection).rejects.toMatchObject({
          code: 'ERR_CONNECT_UNKNOWN_ROLE',
          role: 'no-such-role',
        });
        const error = (await rejection.catch((caught: unknown) => caught)) as { known?: unknown };
        expect(error.known, 'roles named by the error').toEqual([link.role]);
        expect(link.accepted()).toBe(0);
      },
    );

    clause(
      'VSK-6',
      `rejects a guest that is not listening with a typed error (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        const link = await use('transport').open(kind, 'absent');
        onTestFinished(() => link[Symbol.asyncDispose]());
        await expect(link.connector.connect(link.role)).rejects.toMatchObject({
          code: 'ERR_CONNECT_REFUSED',
          role: link.role,
        });
      },
    );

    clause(
      'VSK-7',
      `times out a connect that never completes (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        const timeoutMs = 200;
        const link = await use('transport').open(kind, 'unresponsive', { connectTimeoutMs: timeoutMs });
        onTestFinished(() => link[Symbol.asyncDispose]());
        const started = Date.now();
        const error: unknown = await link.connector.connect(link.role).catch((caught: unknown) => caught);
        const elapsed = Date.now() - started;
        expect(error).toMatchObject({ code: 'ERR_CONNECT_TIMEOUT', timeoutMs });
        // A deadline, not a performance figure: the rejection must come from the timeout, not later.
        expect(elapsed, 'ms until the connect was rejected').toBeGreaterThanOrEqual(timeoutMs - 20);
        expect(elapsed, 'ms until the connect was rejected').toBeLessThan(timeoutMs + 2000);
      },
    );

    clause(
      'VSK-8',
      `reports a guest reset as a stream error, not a clean end (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        let guestSocket: Duplex | undefined;
        const transport = use('transport');
        const link = await transport.open(kind, (socket) => {
          socket.on('error', () => undefined);
          socket.pause(); // leaves client bytes unread, which is what makes a close abortive
          guestSocket = socket;
        });
        onTestFinished(() => link[Symbol.asyncDispose]());
        const stream = await link.connector.connect(link.role);
        const end = ending(stream);
        stream.write(patternBytes(1024 * 1024), () => undefined);
        await eventually(() => guestSocket !== undefined && guestSocket.readableLength > 0, {
          description: 'client bytes to reach the guest',
        });
        transport.reset(guestSocket!);
        const result = await within(end, 10_000, 'the client stream to end after the guest reset');
        expect(result.kind, 'how the client stream ended after the guest reset').toBe('error');
        expect(result.kind === 'error' ? (result.error as NodeJS.ErrnoException).code : undefined).toBe(
          'ECONNRESET',
        );
      },
    );

    clause(
      'VSK-9',
      `cancels a pending connect when the signal aborts (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        const link = await use('transport').open(kind, 'unresponsive', { connectTimeoutMs: 10_000 });
        onTestFinished(() => link[Symbol.asyncDispose]());
        const controller = new AbortController();
        const pending = link.connector.connect(link.role, { signal: controller.signal });
        // The abort is the behaviour under test, not a wait: the guest never answers and the
        // connect deadline is 10 s, so the connect is still pending whenever the abort lands.
        setTimeout(() => controller.abort(), 20);
        await expect(pending).rejects.toMatchObject({ code: 'ERR_CONNECT_ABORTED', role: link.role });
        expect(link.accepted()).toBe(0);
      },
    );

    clause(
      'VSK-10',
      `applies backpressure when the guest stops reading (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        let guestSocket: Duplex | undefined;
        const link = await use('transport').open(kind, (socket) => {
          socket.on('error', () => undefined);
          socket.pause();
          guestSocket = socket;
        });
        onTestFinished(() => link[Symbol.asyncDispose]());
        const stream = await link.connector.connect(link.role);
        onTestFinished(() => void stream.destroy());
        const chunk = Buffer.alloc(64 * 1024, 1);
        const limit = 1024; // 64 MiB: far beyond any socket buffer
        let written = 0;
        while (written < limit && stream.write(chunk)) written += 1;
        expect(written, '64 KiB writes accepted before write() returned false').toBeLessThan(limit);
        const drained = new Promise<void>((resolve) => stream.once('drain', resolve));
        await eventually(() => guestSocket !== undefined, { description: 'the guest to accept' });
        guestSocket!.resume();
        await drained;
        expect(stream.writableLength, 'bytes still queued after drain').toBe(0);
        await write(stream, 'after drain');
      },
    );

    clause(
      'VSK-11',
      `ends the guest side when the client destroys its stream (${kind})`,
      async ({ use, expect, onTestFinished }) => {
        let guestEnding: ReturnType<typeof ending> | undefined;
        const link = await use('transport').open(kind, (socket) => {
          guestEnding = ending(socket);
          socket.on('error', () => undefined);
        });
        onTestFinished(() => link[Symbol.asyncDispose]());
        const stream = await link.connector.connect(link.role);
        await write(stream, 'hi');
        await eventually(() => guestEnding !== undefined, { description: 'the guest to accept' });
        stream.destroy();
        const result = await within(
          guestEnding!,
          10_000,
          'the guest side to end after the client destroyed its stream',
        );
        expect(result.data.toString()).toBe('hi');
        expect(['end', 'close', 'error'], 'the guest connection must finish').toContain(result.kind);
      },
    );
  });
}
